import { parseChoice } from '../../cli/flags';
import { globalOptionsFrom } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import { REPORT_API_VERSION } from '../../core/report';
import { SHELLS } from '../../completion/spec';

const TARGETS = [...SHELLS, 'install'] as const;

export const completionVerb: VerbModule = {
  register: (parser, run) =>
    parser.command(
      'completion <shell>',
      'Shell completion: print the bash, zsh or fish script for kubectl-failover, or install the kubectl_complete-failover shim that completes `kubectl failover <TAB>`',
      (yargs) =>
        yargs
          .positional('shell', { type: 'string', describe: `${TARGETS.join(', ')}`, demandOption: true })
          .example('$0 completion install', 'Put kubectl_complete-failover next to the plugin (for krew: ~/.krew/bin), so kubectl completes it')
          .example('source <($0 completion bash)', 'Complete kubectl-failover run on its own'),
      async (flags) => {
        const globals = globalOptionsFrom(flags);
        const target = parseChoice('shell', String(flags.shell), TARGETS);
        if (target === 'install') {
          const { installShim, renderInstall } = await import('../../completion/install');
          await run({ globals, executeLocally: async (context) => installShim(context.program, context.env), renderTable: (outcome) => renderInstall(outcome.report) });
          return;
        }
        const { completionScript } = await import('../../completion/scripts');
        const script = completionScript(target);
        await run({
          globals,
          executeLocally: async () => ({ report: { apiVersion: REPORT_API_VERSION, kind: 'CompletionScript', shell: target, script }, verdict: 'succeeded' }),
          renderTable: (outcome) => outcome.report.script,
        });
      },
    ),
};
