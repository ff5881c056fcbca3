import { dryRunSuffix } from '../core/dryRun';
import type { ChangeReport, ObjectReportRow } from '../report/activationReport';
import type { Palette } from './colors';
import { renderTable } from './table';

function colourResult(row: ObjectReportRow, colors: Palette): string {
  switch (row.result) {
    case 'changed':
    case 'would-change':
      return colors.green(row.result);
    case 'failed':
    case 'unknown':
    case 'not-attempted':
      return colors.red(row.result);
    case 'skipped':
      return colors.dim(row.result);
    case 'unchanged':
      return row.result;
  }
}

/** The human view of an activation report: one row per object, then a summary line. */
export function renderActivationTable(report: ChangeReport, colors: Palette, verbose: boolean): string {
  const shown = report.objects.filter((row) => verbose || row.result !== 'skipped');
  const lines: string[] = [];
  // Deactivation is fenced to namespaces Stork protects, and -m chooses namespaces by schedule: a dry run (or -v) shows the scope and why.
  const showScope = (report.verb === 'deactivate' || report.migrationSchedule !== undefined) && (verbose || report.dryRun !== 'none') && report.namespaces.length > 0;
  if (showScope) {
    const rows = report.namespaces.map((namespace) => [namespace.name, namespace.included ? 'included' : colors.dim('left out'), namespace.reason]);
    lines.push(renderTable(['NAMESPACE', 'SCOPE', 'WHY'], rows).trimEnd(), '');
  }
  if (shown.length > 0) {
    const rows = shown.map((row) => [
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
    const why = report.migrationSchedule ? `of migrationschedule ${report.migrationSchedule}` : '(not protected by Stork)';
    lines.push(`left out ${why}: ${excluded.map((namespace) => namespace.name).join(', ')}`);
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
    return `${what} in ${namespaces} namespace(s)${skipped > 0 ? `; ${skipped} skipped${verbose ? '' : ' (-v lists them)'}` : ''}${waitText(report)}`;
  }
  const failures = [`${report.summary.failed} failed`];
  if (report.summary.unknown > 0) failures.push(`${report.summary.unknown} unknown`);
  if (report.summary.notAttempted > 0) failures.push(`${report.summary.notAttempted} not attempted`);
  const parts = [`${changed} ${changedWord}`, `${unchanged} unchanged`, failed > 0 ? colors.red(failures.join(', ')) : '0 failed'];
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return `${parts.join(', ')} in ${namespaces} namespace(s)${waitText(report)}`;
}

function waitText(report: ChangeReport): string {
  if (!report.wait) return '';
  const { ready, total, timedOut, elapsedSeconds } = report.wait;
  const word = report.verb === 'activate' ? 'ready' : 'scaled down';
  if (report.wait.error) return `; waiting stopped after ${elapsedSeconds}s with ${ready}/${total} ${word}: ${report.wait.error}`;
  if (!timedOut) return `; ${ready}/${total} ${word} after ${elapsedSeconds}s`;
  const names = report.wait.notReady.map((entry) => `${entry.namespace}/${entry.kind.toLowerCase()}/${entry.name} (${entry.detail})`);
  return `; timed out after ${elapsedSeconds}s with ${ready}/${total} ${word}; not ${word}: ${names.join(', ')}`;
}
