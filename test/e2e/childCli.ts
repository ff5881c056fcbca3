import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildCli {
  stdout(): string;
  stderr(): string;
  /** Resolves once `check` holds for what the child wrote so far; rejects after timeoutMs or if it exits first. */
  until(check: (out: { stdout: string; stderr: string }) => boolean, what: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** The exit code (128 + n for a signal that ended it unhandled). */
  exited: Promise<number>;
}

/**
 * The CLI in a child process of its own (src/main.ts under tsx, as the bundle runs it), so a test
 * can send it a real SIGINT and read what it wrote, piped (not a terminal).
 */
export function spawnFailover(args: readonly string[], env: NodeJS.ProcessEnv): ChildCli {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      exitCode = code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 128);
      resolve(exitCode);
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => void child.kill(signal),
    async until(check, what, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check({ stdout, stderr })) {
        if (exitCode !== undefined) throw new Error(`the CLI exited (${exitCode}) before ${what}; stderr: ${stderr}`);
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`no ${what} within ${timeoutMs / 1000}s; stderr: ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** What a run of the built binary that was sent a signal left. */
export interface SignalledRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How long it ran on after the signal; -1 if the signal was never sent. */
  msAfterSignal: number;
}

const binary = path.join(root, 'dist', 'kubectl-failover');

/**
 * Runs the built binary and sends it `signal` once `when` holds: checked on every chunk it writes
 * to stderr and every 20 ms (`when` may read the clusters). Resolves when it exits.
 */
export function signalBinaryWhen(args: readonly string[], env: NodeJS.ProcessEnv, when: (stderr: string) => boolean | Promise<boolean>, signal: NodeJS.Signals = 'SIGINT'): Promise<SignalledRun> {
  if (!existsSync(binary)) throw new Error('dist/kubectl-failover is missing: run npm run build first');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...env, PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    let checking = false;
    const check = async (): Promise<void> => {
      if (signalledAt !== 0 || checking) return;
      checking = true;
      try {
        if (await when(stderr)) {
          signalledAt = Date.now();
          child.kill(signal);
        }
      } finally {
        checking = false;
      }
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      void check();
    });
    const poll = setInterval(() => void check(), 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, msAfterSignal: signalledAt === 0 ? -1 : Date.now() - signalledAt });
    });
  });
}
