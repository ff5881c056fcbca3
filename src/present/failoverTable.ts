import type { FailoverReport, StageReport } from '../failover/report';
import { stageDisplay } from '../stork/action';
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
    case 'In-Progress':
      return colors.yellow('…');
    default:
      return colors.dim('-');
  }
}

/** The human view of a failover: the stage checklist, what each stage wrote, the data-loss window, each namespace's result. */
export function renderFailoverReport(report: FailoverReport, colors: Palette, verbose: boolean): string {
  const dryRun = report.dryRun !== 'none' ? ` — dry run (${report.dryRun})` : '';
  const schedule = report.schedule ? ` (migrationschedule ${report.schedule})` : '';
  // With --via-stork (or --source-from-clusterpair) the source is the ClusterPair's cluster, reached with Stork's stored credentials.
  const source = report.source.context || `the source${report.source.clusterPair ? ` (ClusterPair ${report.source.clusterPair})` : ''}`;
  const lines: string[] = [
    report.action
      ? `Action ${report.action.namespace}/${report.action.name}: ${report.action.actionType} by the Stork controller on ${report.destination.context}${schedule}${dryRun}`
      : `Run ${report.runId}: ${source} → ${report.destination.context}${schedule}${dryRun}`,
  ];
  if (report.source.reachable === false) lines.push(colors.yellow(`source ${source}: unreachable${report.source.error ? `: ${report.source.error}` : ''}`));
  lines.push('');
  lines.push(
    renderTable(
      ['', 'STAGE', 'STATUS', 'TIME', 'NOTE'],
      report.stages.map((stage) => [mark(stage, colors), stage.display, stage.status, stage.status === 'NotStarted' || stage.status === 'Skipped' || stage.status === 'Planned' ? '' : `${stage.durationSeconds}s`, stage.message ?? '']),
    ).trimEnd(),
  );
  for (const stage of report.stages) {
    const rows = stage.objects.filter((row) => verbose || row.result !== 'skipped');
    if (rows.length === 0) continue;
    lines.push('', colors.bold(`${stage.display} — ${stage.cluster === 'source' ? source : report.destination.context}`));
    lines.push(renderTable(['NAMESPACE', 'OBJECT', 'CHANGE', 'RESULT', 'NOTE'], rows.map((row) => [row.namespace, `${row.kind.toLowerCase()}/${row.name}`, row.to && row.from !== row.to ? `${row.from} → ${row.to}` : row.from, row.result, row.message ?? ''])).trimEnd());
  }
  if (report.dataLossWindow.length > 0) {
    lines.push('', renderTable(['SCHEDULE', 'READ ON', 'LAST SUCCESS', 'DATA-LOSS WINDOW'], report.dataLossWindow.map((window) => [window.schedule, window.cluster, window.lastSuccess ?? 'never', window.ageSeconds === null ? 'unknown' : formatDuration(window.ageSeconds * 1000)])).trimEnd());
  }
  if (report.namespaceResults.length > 0) {
    // --via-stork: Stork's own status of each namespace (status.summary) next to ours.
    const stork = report.namespaceResults.some((entry) => entry.status !== undefined);
    lines.push(
      '',
      renderTable(
        stork ? ['NAMESPACE', 'RESULT', 'STATUS', 'NOTE'] : ['NAMESPACE', 'RESULT', 'NOTE'],
        report.namespaceResults.map((entry) => (stork ? [entry.namespace, entry.result, entry.status ?? '', entry.message ?? ''] : [entry.namespace, entry.result, entry.message ?? ''])),
      ).trimEnd(),
    );
  }
  // A failback's last mile goes from the Action's cluster (Stork's destination) to the source.
  const lastMileOn = report.action?.actionType === 'failback' ? report.destination.context : source;
  if (report.lastMileMigrations.length > 0) lines.push('', `last-mile migration(s) on ${lastMileOn}: ${report.lastMileMigrations.join(', ')}`);
  if (report.action && report.dryRun === 'none') {
    const action = report.action;
    lines.push('', `action ${action.namespace}/${action.name}: ${stageDisplay(action.stage, action.actionType)} ${action.status || '(no status yet)'}${action.moreInfo ? ` — ${action.moreInfo}` : ''}`);
  }
  const outcome = report.outcome === 'Successful' || report.outcome === 'DryRun' ? colors.green(report.outcome) : report.outcome === 'InProgress' ? colors.yellow(report.outcome) : colors.red(report.outcome);
  lines.push('', `outcome: ${outcome}`);
  return `${lines.join('\n')}\n`;
}
