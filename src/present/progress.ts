import type { Clock } from '../core/clock';
import type { OutputStream } from '../core/command';
import type { Progress } from '../core/progress';
import { terminalSafe } from './terminalText';

/** In plain mode a changing count is printed at most this often, so logs stay readable. */
const PLAIN_UPDATE_INTERVAL_MS = 5_000;

/** Spinners (ora, loaded only on a terminal) or plain progress lines, always on stderr. */
export async function createProgress(interactive: boolean, stderr: OutputStream, clock: Clock): Promise<Progress> {
  return safeText(interactive ? await spinners(stderr) : plainProgress(stderr, clock.now));
}

/** Progress lines quote errors and names from the cluster: escaped before any reaches the terminal. */
function safeText(progress: Progress): Progress {
  return {
    start(text) {
      const phase = progress.start(terminalSafe(text));
      return {
        update: (next) => phase.update(terminalSafe(next)),
        succeed: (done) => phase.succeed(terminalSafe(done)),
        fail: (done) => phase.fail(terminalSafe(done)),
        warn: (done) => phase.warn(terminalSafe(done)),
        clear: () => phase.clear(),
      };
    },
  };
}

async function spinners(stderr: OutputStream): Promise<Progress> {
  const { default: ora } = await import('ora');
  return {
    start(text) {
      // discardStdin would hold stdin open (raw mode) and keep the process alive after the command ends.
      const spinner = ora({ text, stream: stderr as NodeJS.WritableStream, color: 'cyan', discardStdin: false }).start();
      return {
        update: (next) => {
          spinner.text = next;
        },
        succeed: (done) => void spinner.succeed(done),
        fail: (done) => void spinner.fail(done),
        warn: (done) => void spinner.warn(done),
        clear: () => void spinner.stop(),
      };
    },
  };
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
        clear: () => undefined,
      };
    },
  };
}
