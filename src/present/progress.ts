import type { CommandContext, OutputStream } from '../cli/context';

/** One step of a command, shown as a spinner on a terminal and as plain lines otherwise. */
export interface Phase {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  warn(text: string): void;
}

export interface Progress {
  start(text: string): Phase;
}

/** In plain mode a changing count is printed at most this often, so logs stay readable. */
const PLAIN_UPDATE_INTERVAL_MS = 5_000;

/** Spinners (ora, loaded only on a terminal) or plain progress lines, always on stderr. */
export async function createProgress(context: CommandContext): Promise<Progress> {
  if (!context.interactive) return plainProgress(context.streams.stderr, context.clock.now);
  const { default: ora } = await import('ora');
  return {
    start(text) {
      // discardStdin would hold stdin open (raw mode) and keep the process alive after the command ends.
      const spinner = ora({ text, stream: context.streams.stderr as NodeJS.WritableStream, color: 'cyan', discardStdin: false }).start();
      return {
        update: (next) => {
          spinner.text = next;
        },
        succeed: (done) => void spinner.succeed(done),
        fail: (done) => void spinner.fail(done),
        warn: (done) => void spinner.warn(done),
      };
    },
  };
}

/** Runs a phase under its spinner: a failure marks the spinner and propagates. */
export async function within<T>(phase: Phase, failText: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    phase.fail(failText);
    throw error;
  }
}

export function plainProgress(stderr: OutputStream, now: () => number): Progress {
  return {
    start(text) {
      let lastPrinted = now();
      let lastText = text;
      return {
        update(next) {
          if (next !== lastText && now() - lastPrinted >= PLAIN_UPDATE_INTERVAL_MS) {
            stderr.write(`${next}\n`);
            lastPrinted = now();
            lastText = next;
          }
        },
        succeed: (done) => void stderr.write(`${done}\n`),
        fail: (done) => void stderr.write(`${done}\n`),
        warn: (done) => void stderr.write(`warning: ${done}\n`),
      };
    },
  };
}
