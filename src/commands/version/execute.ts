import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import type { BuildInfo } from '../../version';

/** `version -o json`: what was built, from which commit, running on what. */
export interface VersionReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'Version';
  version: string;
  gitCommit: string;
  /** The commit's date (ISO 8601), not the build's. */
  gitCommitDate: string;
  nodeVersion: string;
  /** os/arch as Go and kubectl name them: linux/amd64, darwin/arm64. */
  platform: string;
}

export interface Runtime {
  nodeVersion: string;
  platform: string;
  arch: string;
}

/** Node's arch names where Go's differ (kubectl prints Go's). */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386' };

export function executeVersion(build: BuildInfo, runtime: Runtime): CommandOutcome<VersionReport> {
  const report: VersionReport = {
    apiVersion: REPORT_API_VERSION,
    kind: 'Version',
    version: build.version,
    gitCommit: build.gitCommit,
    gitCommitDate: build.gitCommitDate,
    nodeVersion: runtime.nodeVersion,
    platform: `${runtime.platform === 'win32' ? 'windows' : runtime.platform}/${GO_ARCH[runtime.arch] ?? runtime.arch}`,
  };
  return { report, verdict: 'succeeded' };
}
