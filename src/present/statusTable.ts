import type { StatusReport } from '../commands/status/execute';
import type { NamespaceStatus } from '../plan/statusModel';
import { formatDuration } from '../util/duration';
import type { Palette } from './colors';
import { renderTable } from './table';
import { rfc822 } from './time';
import { terminalSafe } from './terminalText';

/** The compact human view of `status`: one block per namespace and cluster. */
export function renderStatus(statuses: readonly NamespaceStatus[], colors: Palette): string {
  if (statuses.length === 0) return 'no namespace to report\n';
  const blocks = statuses.map((status) => {
    const lines = [colors.bold(terminalSafe(`${status.namespace} on ${status.cluster}: ${status.verdict}`))];
    if (status.schedules.length > 0) {
      lines.push(
        renderTable(
          ['SCHEDULE', 'POLICYNAME', 'CLUSTERPAIR', 'SUSPEND', 'LAST-SUCCESS-AGE', 'ACTIVATED'],
          status.schedules.map((schedule) => [
            `${schedule.namespace}/${schedule.name}`,
            schedule.policy,
            schedule.clusterPair,
            String(schedule.suspended),
            schedule.lastSuccessAgeSeconds === null ? 'never' : formatDuration(schedule.lastSuccessAgeSeconds * 1000),
            String(schedule.applicationActivated),
          ]),
        ).trimEnd(),
      );
    }
    if (status.workloads.length > 0) {
      lines.push(
        renderTable(
          ['WORKLOAD', 'REPLICAS', 'RECORDED', 'READY'],
          status.workloads.map((workload) => [`${workload.kind.toLowerCase()}/${workload.name}`, String(workload.replicas), workload.recorded || '-', `${workload.ready}/${workload.replicas}`]),
        ).trimEnd(),
      );
    }
    if (status.actions.length > 0) {
      lines.push(renderTable(['NAME', 'CREATED', 'STAGE', 'STATUS', 'MORE INFO'], status.actions.map((action) => [action.name, rfc822(action.created), action.stageDisplay, action.status, action.moreInfo])).trimEnd());
    }
    // Warnings quote annotation values as found: escaped, so a newline or escape sequence in one stays visible text.
    for (const warning of status.warnings) lines.push(colors.yellow(`warning: ${terminalSafe(warning)}`));
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** The whole status view: unreachable clusters first, then each namespace's block. */
export function renderStatusReport(report: StatusReport, colors: Palette): string {
  const lines = (report.unreachable ?? []).map((entry) => colors.red(terminalSafe(`${entry.cluster}: unreachable: ${entry.error}`)));
  return `${lines.map((line) => `${line}\n\n`).join('')}${renderStatus(report.namespaces, colors)}`;
}
