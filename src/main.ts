import { exitCodeForSignal } from './cli/exitCodes';
import { startedAsCompletionShim } from './cli/completionShim';
import { prebuiltHelp } from './cli/prebuiltHelp';
import { quickAnswer } from './cli/quickAnswers';
import { INTERRUPT_SIGNALS } from './core/interrupt';

// The entry point of both the bundle and the standalone binary.

// ^C or SIGTERM: the command stops starting new writes, lets the ones in flight finish and prints
// what was done (exit 130/143). A second signal stops at once, without the report.
const interrupts = new AbortController();
for (const signal of INTERRUPT_SIGNALS) {
  process.on(signal, () => {
    if (interrupts.signal.aborted) process.exit(exitCodeForSignal(signal));
    interrupts.abort(signal);
  });
}

const argv0 = process.argv[1] ?? 'kubectl-failover';
const args = process.argv.slice(2);

async function main(): Promise<number> {
  // `--version`, `version` and help are answered before the CLI (yargs, every verb) is even
  // compiled: the bundle defers that code (scripts/lib/sea.ts), so they start about as fast as node.
  // Started as the completion shim, every word is one to complete instead.
  if (!startedAsCompletionShim(argv0)) {
    if (await quickAnswer(args, process.stdout)) return 0;
    const help = prebuiltHelp(args, process.stdout.columns);
    if (help !== undefined) {
      process.stdout.write(help);
      return 0;
    }
  }
  const { runCli } = await import('./cli/app');
  return runCli(args, { stdout: process.stdout, stderr: process.stderr, env: process.env, argv0, signal: interrupts.signal });
}

void main().then((code) => {
  process.exitCode = code;
});
