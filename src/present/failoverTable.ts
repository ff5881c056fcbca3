import type { FailoverReport, StageReport } from '../failover/report';
import { formatDuration } from '../util/duration';
import type { Palette } from './colors';
import { renderTable } from './table';

function mark(stage: StageReport, colors: Palette): string {
  switch (stage.status) {
    case 'Successful':
      return colors.green('✔');
    case 'Failed':
    case 'TimedOut':
      return colors.red('✖');
    case 'Planned':
      return colors.cyan('•');
    default:
      return colors.dim('-');
  }
}

/** The human view of a failover: the stage checklist, what each stage wrote, the data-loss window, each namespace's result. */
export function renderFailoverReport(report: FailoverReport, colors: Palette, verbose: boolean): string {
  const lines: string[] = [`Run ${report.runId}: ${report.source.context} → ${report.destination.context}${report.schedule ? ` (migrationschedule ${report.schedule})` : ''}${report.dryRun !== 'none' ? ` — dry run (${report.dryRun})` : ''}`];
  if (!report.source.reachable) lines.push(colors.yellow(`source ${report.source.context}: unreachable${report.source.error ? `: ${report.source.error}` : ''}`));
  lines.push('');
  lines.push(
    renderTable(
      ['', 'STAGE', 'STATUS', 'TIME', 'NOTE'],
      report.stages.map((stage) => [mark(stage, colors), stage.display, stage.status, stage.status === 'NotStarted' || stage.status === 'Skipped' ? '' : `${stage.durationSeconds}s`, stage.message ?? '']),
    ).trimEnd(),
  );
  for (const stage of report.stages) {
    const rows = stage.objects.filter((row) => verbose || row.result !== 'skipped');
    if (rows.length === 0) continue;
    lines.push('', colors.bold(`${stage.display} — ${stage.cluster === 'source' ? report.source.context : report.destination.context}`));
    lines.push(renderTable(['NAMESPACE', 'OBJECT', 'CHANGE', 'RESULT', 'NOTE'], rows.map((row) => [row.namespace, `${row.kind.toLowerCase()}/${row.name}`, row.to && row.from !== row.to ? `${row.from} → ${row.to}` : row.from, row.result, row.message ?? ''])).trimEnd());
  }
  if (report.dataLossWindow.length > 0) {
    lines.push('', renderTable(['SCHEDULE', 'READ ON', 'LAST SUCCESS', 'DATA-LOSS WINDOW'], report.dataLossWindow.map((window) => [window.schedule, window.cluster, window.lastSuccess ?? 'never', window.ageSeconds === null ? 'unknown' : formatDuration(window.ageSeconds * 1000)])).trimEnd());
  }
  if (report.namespaceResults.length > 0) {
    lines.push('', renderTable(['NAMESPACE', 'RESULT', 'NOTE'], report.namespaceResults.map((entry) => [entry.namespace, entry.result, entry.message ?? ''])).trimEnd());
  }
  if (report.lastMileMigrations.length > 0) lines.push('', `last-mile migration(s) on ${report.source.context}: ${report.lastMileMigrations.join(', ')}`);
  const outcome = report.outcome === 'Successful' || report.outcome === 'DryRun' ? colors.green(report.outcome) : colors.red(report.outcome);
  lines.push('', `outcome: ${outcome}`);
  return `${lines.join('\n')}\n`;
}
