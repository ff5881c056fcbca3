import { accessSync, chmodSync, constants, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT_API_VERSION, type CommandOutcome } from '../core/report';
import { oneLine } from '../core/errors';

/** kubectl (1.26 and later) runs this, found on PATH, to complete `kubectl failover …`. */
export const SHIM_NAME = 'kubectl_complete-failover';

export interface CompletionInstallReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'CompletionInstall';
  /** The shim written. */
  path: string;
  /** The plugin it calls: the one kubectl found (for krew, its bin folder's link). */
  plugin: string;
  /** Whether the shim's folder is on PATH, where kubectl looks for it. */
  onPath: boolean;
  warnings: string[];
}

/**
 * The shim: a shell script calling the plugin beside it with `__complete`. krew links only the
 * plugin's own binary into its bin folder, so the shim is put next to that link; calling the
 * link (not the file it points to) keeps the shim working across `kubectl krew upgrade`. Its
 * folder comes from $0 (kubectl runs it by its full path), not from `dirname`, which a PATH
 * holding only kubectl's folders may lack.
 */
export function shimScript(pluginFile: string): string {
  return `#!/bin/sh
# kubectl runs this for \`kubectl failover <TAB>\` (kubectl 1.26 and later).
# Written by \`kubectl failover completion install\`.
exec "\${0%/*}/${pluginFile}" __complete "$@"
`;
}

/** The path the plugin was started by: as given when it holds a slash, else found on PATH as a shell would. */
export function pluginPath(program: string, env: NodeJS.ProcessEnv): string {
  if (program.includes('/')) return path.resolve(program);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return path.resolve(candidate);
    } catch {
      // not in this folder
    }
  }
  return path.resolve(program);
}

/** Writes the shim next to the plugin kubectl found. Fails (exit 1) with the folder and the cause when it cannot. */
export function installShim(program: string, env: NodeJS.ProcessEnv): CommandOutcome<CompletionInstallReport> {
  const plugin = pluginPath(program, env);
  const dir = path.dirname(plugin);
  const shim = path.join(dir, SHIM_NAME);
  try {
    writeFileSync(shim, shimScript(path.basename(plugin)));
    chmodSync(shim, 0o755);
  } catch (error) {
    throw new Error(`cannot write ${shim}: ${oneLine(error)}; write it by hand: printf '#!/bin/sh\\nexec ${plugin} __complete "$@"\\n' > ${SHIM_NAME}, make it executable and put it on PATH`);
  }
  const onPath = (env.PATH ?? '').split(path.delimiter).some((entry) => entry !== '' && path.resolve(entry) === dir);
  const warnings = onPath ? [] : [`${dir} is not on PATH, where kubectl looks for ${SHIM_NAME}: add it to PATH`];
  return { report: { apiVersion: REPORT_API_VERSION, kind: 'CompletionInstall', path: shim, plugin, onPath, warnings }, verdict: 'succeeded' };
}

export function renderInstall(report: CompletionInstallReport): string {
  return [
    `Wrote ${report.path}: it calls ${report.plugin} __complete.`,
    'kubectl failover <TAB> now completes verbs, flags, contexts, namespaces and MigrationSchedule names',
    "wherever kubectl's own completion is loaded (source <(kubectl completion bash), or zsh, or fish).",
    '',
  ].join('\n');
}
