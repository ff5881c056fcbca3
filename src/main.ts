import { runCli } from './cli/app';

// The entry point of both the bundle and the standalone binary.
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  argv0: process.argv[1] ?? 'kubectl-failover',
}).then((code) => {
  process.exitCode = code;
});
