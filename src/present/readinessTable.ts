import type { ReadinessReport } from '../report/readinessReport';
import { formatDuration } from '../util/duration';
import type { Palette } from './colors';
import { renderTable } from './table';

/** Up to this many findings are listed by default; -o json has them all. */
const FINDINGS_SHOWN = 50;

/** `check`'s table: a verdict per namespace, then the findings, errors first. */
export function renderReadiness(report: ReadinessReport, colors: Palette, verbose: boolean): string {
  const verdict = report.ready ? colors.green('READY') : colors.red('NOT READY');
  const head = `${verdict}: ${report.source.context || `ClusterPair ${report.source.clusterPair ?? ''}`} → ${report.destination.context}${report.strict ? ' (--strict: warnings count)' : ''}\n`;
  const namespaces =
    report.namespaces.length === 0
      ? 'no namespace in scope\n'
      : renderTable(
          ['NAMESPACE', 'READY', 'DATA-LOSS-WINDOW', 'FINDINGS'],
          report.namespaces.map((entry) => [
            entry.namespace,
            entry.ready ? { text: 'yes', style: colors.green } : { text: 'no', style: colors.red },
            entry.dataLossWindowSeconds === null ? 'unknown' : `${formatDuration(entry.dataLossWindowSeconds * 1000)}${entry.windowFrom === 'migration-time' ? ' (≤, from migrationTime)' : ''}`,
            entry.findings.join(', ') || '-',
          ]),
        );
  const ordered = [...report.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const shown = verbose ? ordered : ordered.slice(0, FINDINGS_SHOWN);
  const findings =
    ordered.length === 0
      ? 'no findings\n'
      : renderTable(
          ['SEVERITY', 'CODE', 'CLUSTER', 'NAMESPACE', 'MESSAGE'],
          shown.map((finding) => [finding.severity === 'error' ? { text: 'error', style: colors.red } : { text: 'warning', style: colors.yellow }, finding.code, finding.cluster, finding.namespace ?? '*', `${finding.message}${finding.override ? ` [${finding.override}]` : ''}`]),
        ) + (shown.length < ordered.length ? `… and ${ordered.length - shown.length} more (-v or -o json for all)\n` : '');
  return `${head}\n${namespaces}\n${findings}`;
}
