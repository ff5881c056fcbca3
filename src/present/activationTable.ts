import { dryRunSuffix } from '../core/dryRun';
import type { ChangeReport, ObjectReportRow } from '../report/activationReport';
import type { Palette } from './colors';
import { isSystemNamespace } from '../plan/protection';
import { renderTable, type Cell } from './table';
import { terminalSafe } from './terminalText';

function colourResult(row: ObjectReportRow, colors: Palette): Cell {
  switch (row.result) {
    case 'changed':
    case 'would-change':
      return { text: row.result, style: colors.green };
    case 'failed':
    case 'unknown':
    case 'not-attempted':
      return { text: row.result, style: colors.red };
    case 'skipped':
      return { text: row.result, style: colors.dim };
    case 'unchanged':
      return row.result;
  }
}

/** Without -v the wait-timeout summary names this many objects, then how many more. */
const NOT_READY_NAMED = 10;

/** The human view of an activation report: one row per object, then a summary line. */
export function renderActivationTable(report: ChangeReport, colors: Palette, verbose: boolean): string {
  const shown = report.objects.filter((row) => verbose || row.result !== 'skipped');
  const lines: string[] = [];
  // Deactivation is fenced to namespaces Stork protects, and -m chooses namespaces by schedule: a dry run (or -v) shows the scope and why.
  const showScope = (report.verb === 'deactivate' || report.migrationSchedule !== undefined) && (verbose || report.dryRun !== 'none') && report.namespaces.length > 0;
  if (showScope) {
    const rows = report.namespaces.map((namespace): Cell[] => [namespace.name, namespace.included ? 'included' : { text: 'left out', style: colors.dim }, namespace.reason]);
    lines.push(renderTable(['NAMESPACE', 'SCOPE', 'WHY'], rows).trimEnd(), '');
  }
  if (shown.length > 0) {
    const rows = shown.map((row): Cell[] => [
      row.namespace,
      `${row.kind.toLowerCase()}/${row.name}`,
      row.to && row.from !== row.to ? `${row.from} → ${row.to}` : row.from,
      colourResult(row, colors),
      row.message ?? '',
    ]);
    lines.push(renderTable(['NAMESPACE', 'OBJECT', 'CHANGE', 'RESULT', 'NOTE'], rows).trimEnd());
  }
  const excluded = report.namespaces.filter((namespace) => !namespace.included);
  if (excluded.length > 0 && !showScope) {
    if (report.migrationSchedule) {
      lines.push(terminalSafe(`left out of migrationschedule ${report.migrationSchedule}: ${excluded.map((namespace) => namespace.name).join(', ')}`));
    } else {
      const system = excluded.filter((namespace) => isSystemNamespace(namespace.name)).map((namespace) => namespace.name);
      const unprotected = excluded.filter((namespace) => !isSystemNamespace(namespace.name)).map((namespace) => namespace.name);
      if (unprotected.length > 0) lines.push(terminalSafe(`left out (not protected by Stork): ${unprotected.join(', ')}`));
      if (system.length > 0) lines.push(`left out (system namespace; only -n${report.verb === 'deactivate' ? ' with --force' : ''} reaches it): ${system.join(', ')}`);
    }
  }
  lines.push(summaryLine(report, colors, verbose));
  return `${lines.join('\n')}\n`;
}

function summaryLine(report: ChangeReport, colors: Palette, verbose: boolean): string {
  const { unchanged, skipped } = report.summary;
  const changed = report.summary.changed + report.summary.wouldChange;
  const failed = report.summary.failed + report.summary.unknown + report.summary.notAttempted;
  const namespaces = report.namespaces.filter((namespace) => namespace.included).length;
  const changedWord = report.dryRun === 'none' ? 'changed' : `would change${dryRunSuffix(report.dryRun)}`;
  if (changed === 0 && failed === 0) {
    const what = unchanged > 0 ? `already ${report.verb === 'activate' ? 'active' : 'inactive'}: ${unchanged} unchanged` : `nothing to ${report.verb}`;
    return `${what} in ${namespaces} namespace(s)${skipped > 0 ? `; ${skipped} skipped${verbose ? '' : ' (-v lists them)'}` : ''}${waitText(report, verbose)}${holdText(report, colors)}`;
  }
  const failures = [`${report.summary.failed} failed`];
  if (report.summary.unknown > 0) failures.push(`${report.summary.unknown} unknown`);
  if (report.summary.notAttempted > 0) failures.push(`${report.summary.notAttempted} not attempted`);
  const parts = [`${changed} ${changedWord}`, `${unchanged} unchanged`, failed > 0 ? colors.red(failures.join(', ')) : '0 failed'];
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return `${parts.join(', ')} in ${namespaces} namespace(s)${waitText(report, verbose)}${holdText(report, colors)}`;
}

function waitText(report: ChangeReport, verbose: boolean): string {
  if (!report.wait) return '';
  const { ready, total, timedOut, elapsedSeconds } = report.wait;
  const word = report.verb === 'activate' ? 'ready' : 'scaled down';
  if (report.wait.interrupted) return `; waiting interrupted after ${elapsedSeconds}s with ${ready}/${total} ${word}`;
  if (report.wait.error) return `; waiting stopped after ${elapsedSeconds}s with ${ready}/${total} ${word}: ${terminalSafe(report.wait.error)}`;
  if (!timedOut) return `; ${ready}/${total} ${word} after ${elapsedSeconds}s`;
  // A long list would bury the line: -v (and -o json) give every one.
  const named = verbose ? report.wait.notReady : report.wait.notReady.slice(0, NOT_READY_NAMED);
  const names = named.map((entry) => terminalSafe(`${entry.namespace}/${entry.kind.toLowerCase()}/${entry.name} (${entry.detail})`));
  const more = report.wait.notReady.length - named.length;
  const rest = more > 0 ? ` and ${more} more (-v lists them)` : '';
  return `; timed out after ${elapsedSeconds}s with ${ready}/${total} ${word}; not ${word}: ${names.join(', ')}${rest}`;
}

/** The hold check's outcome when it did not hold (who set what back); a hold that held is the progress line's, and the report's. */
function holdText(report: ChangeReport, colors: Palette): string {
  const hold = report.hold;
  if (!hold) return '';
  if (hold.interrupted) return '; hold check interrupted (not checked)';
  const parts: string[] = [];
  if (hold.notHeld.length > 0) {
    const names = hold.notHeld.map((entry) => terminalSafe(`${entry.namespace}/${entry.kind.toLowerCase()}/${entry.name} ${entry.found === null ? 'deleted' : `set back to ${entry.found}${entry.writer ? ` by ${entry.writer}` : ''}`}`));
    parts.push(colors.red(`not held after ${hold.holdSeconds}s: ${names.join(', ')}`));
  }
  if (hold.error) parts.push(colors.red(`hold check: ${terminalSafe(hold.error)}`));
  if (parts.length === 0) return '';
  return `; ${parts.join('; ')}`;
}
