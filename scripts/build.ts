// npm run build [-- --out DIR]: dist/kubectl-failover.cjs (the esbuild bundle) and dist/kubectl-failover,
// the standalone binary for this machine, embedding the same Node the release binaries embed
// (scripts/node-runtimes.json, fetched once from the npm registry; see scripts/lib/runtimes.ts).
// Prints one line per step; the tools' own output goes to <out>/build.log.
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { hostTarget } from './lib/platforms';
import { fetchRuntime, readCatalogue, repoRoot, type Runtime } from './lib/runtimes';
import { bundle, injectBlob, makeBlob } from './lib/sea';
import { ToolLog } from './lib/toolLog';

const outIndex = process.argv.indexOf('--out');
const outArg = outIndex >= 0 ? process.argv[outIndex + 1] : path.join(repoRoot, 'dist');
if (!outArg) {
  console.error('error: --out needs a folder');
  process.exit(2);
}
const out = path.resolve(outArg);
const rel = (file: string): string => path.relative(process.cwd(), file) || file;
const mb = (file: string): string => `${(statSync(file).size / 1e6).toFixed(1)} MB`;

/** This machine's runtime: the registry's package when there is one, else what the workflow names, else the running node. */
function hostRuntime(log: ToolLog): Runtime {
  const catalogue = readCatalogue();
  const target = hostTarget();
  if (target?.runtime) return fetchRuntime(target.runtime, log, catalogue);
  const named = target?.runtimeEnv ? process.env[target.runtimeEnv] : undefined;
  if (named) return { version: catalogue.version, key: `${target?.os}-${target?.arch}`, node: named, origin: `$${target?.runtimeEnv}` };
  return { version: process.versions.node, key: `${process.platform}-${process.arch}`, node: process.execPath, origin: 'the running node: the registry has no runtime for this platform' };
}

async function main(): Promise<void> {
  const log = new ToolLog(path.join(out, 'build.log'));
  const catalogue = readCatalogue();
  const bundlePath = path.join(out, 'kubectl-failover.cjs');
  let started = Date.now();
  await bundle(bundlePath, catalogue.version);
  console.error(`bundle   ${rel(bundlePath)}  ${mb(bundlePath)}  ${Date.now() - started} ms`);

  started = Date.now();
  const runtime = hostRuntime(log);
  console.error(`runtime  node ${runtime.version} ${runtime.key} (${runtime.origin})  ${Date.now() - started} ms`);

  started = Date.now();
  const target = hostTarget() ?? { os: 'linux', arch: 'amd64', bin: 'kubectl-failover' };
  const binary = path.join(out, target.bin);
  const blob = path.join(out, 'sea-prep.blob');
  try {
    makeBlob(runtime.node, bundlePath, blob, log);
    injectBlob(target, runtime.node, blob, binary, log);
  } finally {
    rmSync(blob, { force: true });
  }
  console.error(`binary   ${rel(binary)}  ${mb(binary)}  ${Date.now() - started} ms`);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
