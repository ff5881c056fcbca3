// The platforms a release ships, in krew's names, and where each one's Node comes from.
export interface Target {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  /** Key in scripts/node-runtimes.json: the runtime comes from the npm registry. */
  runtime?: string;
  /** Otherwise an environment variable naming a node binary of the pinned version (the release workflow sets it). */
  runtimeEnv?: string;
  bin: 'kubectl-failover' | 'kubectl-failover.exe';
}

export const TARGETS: readonly Target[] = [
  { os: 'linux', arch: 'amd64', runtime: 'linux-x64', bin: 'kubectl-failover' },
  { os: 'linux', arch: 'arm64', runtime: 'linux-arm64', bin: 'kubectl-failover' },
  // Not on the registry (darwin-arm64) or not at the pinned version (darwin-x64); and they must be
  // re-signed with Apple's codesign after injection: built by .github/workflows/release.yml on macOS.
  { os: 'darwin', arch: 'amd64', runtimeEnv: 'KF_NODE_DARWIN_AMD64', bin: 'kubectl-failover' },
  { os: 'darwin', arch: 'arm64', runtimeEnv: 'KF_NODE_DARWIN_ARM64', bin: 'kubectl-failover' },
  { os: 'windows', arch: 'amd64', runtime: 'win-x64', bin: 'kubectl-failover.exe' },
];

export const targetName = (target: Target): string => `${target.os}/${target.arch}`;

/** A release archive's name; the tag (v<version>) as krew-release-bot's {{ .TagName }} gives it. */
export const archiveName = (tag: string, target: Target): string => `kubectl-failover_${tag}_${target.os}_${target.arch}.tar.gz`;

/** The target this machine is, if it is one a release ships. */
export function hostTarget(): Target | undefined {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  return TARGETS.find((target) => target.os === os && target.arch === arch);
}
