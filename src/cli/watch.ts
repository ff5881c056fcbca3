import type { CommandDeps } from '../core/command';
import { oneLine } from '../core/errors';
import { InterruptedError, interruptSignalOf } from '../core/interrupt';
import { redrawer } from '../present/redraw';
import { serialize } from '../present/serialize';
import { terminalSafe } from '../present/terminalText';
import { exitCodeForSignal, type ExitCode } from './exitCodes';
import type { OutputFormat } from './globalOptions';
import type { AnyOutcome, VerbJob } from './verb';

/** How often a watched verb reads again: kept short so a change shows soon, bounded so servers are not hammered. */
export const WATCH_INTERVAL_MS = 2_000;

/**
 * `-w/--watch`, as `kubectl get -w`: the job runs again every interval (polling; no connection is
 * held between reads) and a report is printed each time it differs (changeKey) from the last one
 * printed. On a terminal the table is redrawn in place; piped, or with -o json|yaml, one report
 * follows the other (YAML documents separated by `---`). A failed read after the first is a
 * warning and watching goes on; ^C or SIGTERM ends it (130/143). The first read fails as the verb
 * alone would.
 */
export async function watchJob<O extends AnyOutcome>(
  job: VerbJob<O> & { watch: { changeKey(outcome: O): string } },
  deps: CommandDeps,
  output: OutputFormat,
  renderTable: (outcome: O) => Promise<string>,
): Promise<ExitCode> {
  const { stdout, stderr } = deps.streams;
  const terminal = output === 'table' && Boolean(stdout.isTTY);
  const draw = terminal ? redrawer(stdout) : undefined;
  let printed = 0;
  let lastKey: string | undefined;
  let lastProblem: string | undefined;
  const show = async (outcome: O): Promise<void> => {
    const key = job.watch.changeKey(outcome);
    if (key === lastKey) return;
    lastKey = key;
    if (draw) {
      const time = new Date(deps.clock.now()).toLocaleTimeString('en-GB', { hour12: false });
      draw(`${time}: every ${WATCH_INTERVAL_MS / 1000}s, ^C to stop\n\n${await renderTable(outcome)}`);
    } else if (output === 'table' || output === 'prometheus') stdout.write(`${printed > 0 ? '\n' : ''}${await renderTable(outcome)}`);
    else stdout.write(`${output === 'yaml' && printed > 0 ? '---\n' : ''}${await serialize(outcome.report, output)}`);
    printed += 1;
  };

  await show(await job.execute(deps));
  for (;;) {
    await deps.clock.sleep(WATCH_INTERVAL_MS, deps.signal);
    if (deps.signal.aborted) return exitCodeForSignal(interruptSignalOf(deps.signal));
    try {
      await show(await job.execute(deps));
      lastProblem = undefined;
    } catch (error) {
      if (error instanceof InterruptedError || deps.signal.aborted) return exitCodeForSignal(interruptSignalOf(deps.signal));
      // Said once per distinct problem: a cluster down for a while does not fill the screen.
      const problem = oneLine(error);
      if (problem !== lastProblem) stderr.write(`warning: ${terminalSafe(problem)}; still watching\n`);
      lastProblem = problem;
    }
  }
}
