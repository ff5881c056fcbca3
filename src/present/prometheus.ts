import { FINDING_CODES } from '../failover/findings';
import type { ReadinessReport } from '../report/readinessReport';

/**
 * `check -o prometheus`: the text exposition format (version 0.0.4) for node_exporter's textfile
 * collector: readiness and the data-loss window per namespace, findings counted by severity and
 * code. A window that is unknown is left out (absent, not a made-up number).
 */
export function renderPrometheus(report: ReadinessReport): string {
  const pair = { source: report.source.context || `clusterpair:${report.source.clusterPair ?? ''}`, destination: report.destination.context };
  const lines: string[] = [];
  const family = (name: string, help: string): void => void lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
  family('kubectl_failover_ready', 'Whether the namespace can be failed over now: 1 when no error finding concerns it, else 0.');
  for (const entry of report.namespaces) lines.push(sample('kubectl_failover_ready', { ...pair, namespace: entry.namespace }, entry.ready ? 1 : 0));
  family('kubectl_failover_data_loss_window_seconds', 'Age of the newest successful migration covering the namespace (what a failover now would lose at most).');
  for (const entry of report.namespaces) if (entry.dataLossWindowSeconds !== null) lines.push(sample('kubectl_failover_data_loss_window_seconds', { ...pair, namespace: entry.namespace }, entry.dataLossWindowSeconds));
  family('kubectl_failover_findings', 'Findings of the readiness check, by severity and code (namespace "" for the whole pair).');
  const counts = new Map<string, { namespace: string; severity: string; code: string; count: number }>();
  for (const finding of report.findings) {
    const key = `${finding.namespace ?? ''}|${finding.severity}|${finding.code}`;
    const known = counts.get(key) ?? { namespace: finding.namespace ?? '', severity: finding.severity, code: finding.code, count: 0 };
    known.count += 1;
    counts.set(key, known);
  }
  const order = (code: string): number => FINDING_CODES.indexOf(code as (typeof FINDING_CODES)[number]);
  for (const entry of [...counts.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.severity.localeCompare(b.severity) || order(a.code) - order(b.code))) {
    lines.push(sample('kubectl_failover_findings', { ...pair, namespace: entry.namespace, severity: entry.severity, code: entry.code }, entry.count));
  }
  family('kubectl_failover_check_timestamp_seconds', 'When the check ran (Unix time).');
  lines.push(sample('kubectl_failover_check_timestamp_seconds', pair, Math.round(Date.parse(report.checkedAt) / 1000)));
  return `${lines.join('\n')}\n`;
}

function sample(name: string, labels: Record<string, string>, value: number): string {
  const text = Object.entries(labels)
    .map(([key, label]) => `${key}="${escapeLabel(label)}"`)
    .join(',');
  return `${name}{${text}} ${value}`;
}

/** Label values escape backslash, double quote and line feed, as the format requires. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
