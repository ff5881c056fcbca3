import { runCli } from './cli/app';
import { exitCodeForSignal } from './cli/exitCodes';
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

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  argv0: process.argv[1] ?? 'kubectl-failover',
  signal: interrupts.signal,
}).then((code) => {
  process.exitCode = code;
});
