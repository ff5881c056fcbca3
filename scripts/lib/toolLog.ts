// Runs the build's tools (npm pack, tar, postject, codesign, the blob-making node) with their own
// output in a log file, so a build prints one line per step; a failure names the log.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class ToolLog {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
  }

  note(text: string): void {
    appendFileSync(this.file, `${text}\n`);
  }

  /** Runs a command to completion; returns its stdout (also logged). Throws, naming the log, on failure. */
  run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; keepStdout?: boolean } = {}): string {
    appendFileSync(this.file, `\n$ ${[command, ...args].join(' ')}\n`);
    const result = spawnSync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A tool's stdout may be data for the caller (npm pack --json): log it only when asked to keep it quiet.
    if (!options.keepStdout) appendFileSync(this.file, result.stdout ?? '');
    appendFileSync(this.file, result.stderr ?? '');
    if (result.error) throw new Error(`${path.basename(command)} could not be started (${result.error.message}); full log: ${this.file}`);
    if (result.status !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited ${result.status}`;
      throw new Error(`${path.basename(command)} ${args[0] ?? ''} ${how}; full log: ${this.file}`);
    }
    return result.stdout ?? '';
  }
}
