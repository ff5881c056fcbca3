import type { VersionReport } from '../commands/version/execute';

export function renderVersion(report: VersionReport): string {
  const rows: Array<[string, string]> = [
    ['Version', report.version],
    ['Git commit', report.gitCommit],
    ['Commit date', report.gitCommitDate],
    ['Node.js', report.nodeVersion],
    ['Platform', report.platform],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
}
