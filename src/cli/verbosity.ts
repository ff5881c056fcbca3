import { UsageError } from '../core/errors';

/** -v alone: the verbose listing (skipped objects, stack traces on unexpected errors). */
export const VERBOSE_LEVEL = 1;
/** -v=6 and above, as kubectl's request logging: one stderr line per API request. */
export const REQUEST_LOG_LEVEL = 6;

const LEVEL = /^\d+$/;
const VERBOSITY_FLAG = /^(-v|--v|--verbose)$/;
/** -Av: short boolean flags bundled with a trailing v. */
const BUNDLED_V = /^-([Ah]+)v$/;

/**
 * kubectl's -v takes a level (-v=6, -v 6, -v6, --v=6); ours may also stand alone (-v), which yargs
 * cannot say: given `-v activate` it would take "activate" as the level. So every spelling is
 * rewritten to `--verbose=LEVEL` (or `--verbose=` when alone) before yargs parses: a following word
 * is the level only if it is a number. Words after `--` are left alone.
 */
export function normalizeVerbosity(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? '';
    if (word === '--') {
      out.push(...argv.slice(index));
      break;
    }
    const bundled = BUNDLED_V.exec(word);
    if (bundled) out.push(`-${bundled[1] ?? ''}`);
    if (bundled || VERBOSITY_FLAG.test(word)) {
      const next = argv[index + 1];
      if (next !== undefined && LEVEL.test(next)) {
        out.push(`--verbose=${next}`);
        index += 1;
      } else {
        out.push('--verbose=');
      }
      continue;
    }
    const attached = /^(?:-v|--v)=?(\d+)$/.exec(word);
    out.push(attached ? `--verbose=${attached[1] ?? ''}` : word);
  }
  return out;
}

/** The level of --verbose as yargs hands it over: '' (alone) is VERBOSE_LEVEL; absent or --no-verbose is 0. */
export function parseVerbosity(value: string | boolean | undefined): number {
  if (value === undefined || value === false || value === 'false') return 0;
  if (value === true || value === '' || value === 'true') return VERBOSE_LEVEL;
  if (!LEVEL.test(value)) throw new UsageError(`invalid -v "${value}": use -v alone, or a level such as -v=6 (requests logged on stderr)`);
  return Number(value);
}
