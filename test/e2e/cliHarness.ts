import { runCli } from '../../src/cli/app';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (yargs parser, command context, HTTP client) in-process with in-memory streams. */
export async function runFailover(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env,
    argv0: 'kubectl-failover',
  });
  return { code, stdout, stderr };
}
