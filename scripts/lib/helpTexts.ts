// Bundled and run by the build (scripts/lib/sea.ts) to render the help texts the binary carries
// (src/cli/prebuiltHelp.ts): the top level and every verb, at each prebuilt width, printed as one
// JSON object. It is bundled with the binary's own plugins, so yargs wraps exactly as it does there.
import { runCli } from '../../src/cli/app';
import { helpKey, PREBUILT_HELP_WIDTHS } from '../../src/cli/prebuiltHelp';
import { VERBS } from '../../src/completion/spec';

async function renderHelpTexts(): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const width of PREBUILT_HELP_WIDTHS) {
    for (const verb of ['', ...VERBS.map((spec) => spec.name)]) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(verb ? [verb, '--help'] : ['--help'], {
        stdout: { write: (text: string) => (stdout += text), isTTY: false, columns: width },
        stderr: { write: (text: string) => (stderr += text), isTTY: false },
        env: {},
        argv0: 'kubectl-failover',
      });
      if (code !== 0 || stderr !== '' || stdout === '') throw new Error(`rendering help for "${verb || '(top level)'}" at ${width} columns failed (exit ${code}): ${stderr}`);
      texts[helpKey(width, verb)] = stdout;
    }
  }
  return texts;
}

void renderHelpTexts().then((texts) => process.stdout.write(JSON.stringify(texts)));
