import { versionOutcome } from '../commands/version/command';
import type { OutputStream } from '../core/command';
import { renderVersion } from '../present/versionTable';
import { serialize } from '../present/serialize';
import { VERSION } from '../version';
import { OUTPUT_FORMATS } from './globalOptions';

/**
 * `--version`, and `version` with at most an output format, answered before yargs is loaded:
 * evaluating yargs is most of their start-up, and they are what scripts and first-time users run
 * most. The output is exactly what the yargs path prints (a test holds them equal); any other
 * word or flag, even `version --no-color`, goes through yargs.
 */
export async function quickAnswer(args: readonly string[], stdout: OutputStream): Promise<boolean> {
  if (args.length === 1 && args[0] === '--version') {
    stdout.write(`${VERSION}\n`);
    return true;
  }
  if (args[0] !== 'version') return false;
  const output = outputFormat(args.slice(1));
  if (output === undefined) return false;
  const { report } = versionOutcome();
  stdout.write(output === 'table' ? renderVersion(report) : await serialize(report, output));
  return true;
}

/** No words: table; else one -o/--output in any spelling, with a known format. */
function outputFormat(words: readonly string[]): (typeof OUTPUT_FORMATS)[number] | undefined {
  let value: string | undefined;
  if (words.length === 0) value = 'table';
  else if (words.length === 2 && (words[0] === '-o' || words[0] === '--output')) value = words[1];
  else if (words.length === 1) value = /^(?:-o|--output)=(.+)$/.exec(words[0] ?? '')?.[1];
  return OUTPUT_FORMATS.find((format) => format === value);
}
