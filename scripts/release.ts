// npm run release [-- --out DIR]: the krew release, reproducibly, offline but for the npm registry.
//
// For each platform it can build here (linux/amd64, linux/arm64, windows/amd64 from the registry's
// Node packages; darwin/amd64 and darwin/arm64 too on a Mac when KF_NODE_DARWIN_AMD64 and
// KF_NODE_DARWIN_ARM64 name node binaries of the pinned version, as the release workflow does):
//   DIR/kubectl-failover_v<version>_<os>_<arch>.tar.gz   the binary and LICENSE
// and, for those platforms only, with their real sha256:
//   DIR/krew-manifest.yaml   .krew.yaml rendered as krew-release-bot renders it, checked by krew's rules
//   DIR/sha256sums.txt
// Two runs on the same commit give the same bytes: one blob without code cache, archives with fixed
// order, owner, modes and the commit's date, gzip -n. The tools' output goes to DIR/release.log.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sourceDateEpoch, tarGz } from './lib/archive';
import { manifestYaml, renderManifest, validateManifest } from './lib/krew';
import { archiveName, hostTarget, targetName, TARGETS, type Target } from './lib/platforms';
import { fetchRuntime, readCatalogue, repoRoot, type RuntimeCatalogue } from './lib/runtimes';
import { bundle, injectBlob, makeBlob } from './lib/sea';
import { ToolLog } from './lib/toolLog';

const outIndex = process.argv.indexOf('--out');
const outArg = outIndex >= 0 ? process.argv[outIndex + 1] : path.join(repoRoot, 'dist', 'release');
if (!outArg) {
  console.error('error: --out needs a folder');
  process.exit(2);
}
const out = path.resolve(outArg);
const rel = (file: string): string => path.relative(process.cwd(), file) || file;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The node binary for a target: the registry's package, or the one the workflow names; undefined if neither. */
function runtimeFor(target: Target, catalogue: RuntimeCatalogue, log: ToolLog): string | undefined {
  if (target.runtime) return fetchRuntime(target.runtime, log, catalogue).node;
  const named = target.runtimeEnv ? process.env[target.runtimeEnv] : undefined;
  return named || undefined;
}

/** A node of the pinned version that runs here, to make the blob: the running one if it is that version, else the host's package. */
function blobMaker(catalogue: RuntimeCatalogue, log: ToolLog): string {
  if (process.versions.node === catalogue.version) return process.execPath;
  const host = hostTarget();
  const node = host && runtimeFor(host, catalogue, log);
  if (!node) throw new Error(`no Node ${catalogue.version} runs on this machine to make the blob: run the release with that version of node`);
  return node;
}

function uncommittedChanges(): boolean {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return false; // not a git checkout: SOURCE_DATE_EPOCH dates the archives
  }
}

async function main(): Promise<void> {
  const catalogue = readCatalogue();
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const tag = `v${version}`;
  const mtime = sourceDateEpoch(repoRoot);
  // Only what an earlier release wrote is removed: --out may name a folder holding other things.
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(out)) {
    if (/^kubectl-failover_.*\.tar\.gz$|^krew-manifest\.yaml$|^sha256sums\.txt$|^release\.log$|^\.work-/.test(file)) rmSync(path.join(out, file), { recursive: true, force: true });
  }
  const log = new ToolLog(path.join(out, 'release.log'));
  if (uncommittedChanges()) console.error(`warning  uncommitted changes: the archives are stamped with the last commit's date but hold the working tree`);

  const work = mkdtempSync(path.join(out, '.work-'));
  try {
    const bundlePath = path.join(work, 'kubectl-failover.cjs');
    await bundle(bundlePath, catalogue.version);
    const blob = path.join(work, 'sea-prep.blob');
    makeBlob(blobMaker(catalogue, log), bundlePath, blob, log);
    console.error(`blob     node ${catalogue.version}, ${(readFileSync(blob).length / 1e6).toFixed(1)} MB, stamped ${new Date(mtime * 1000).toISOString()} (commit date)`);

    const sums = new Map<string, string>();
    for (const target of TARGETS) {
      const node = runtimeFor(target, catalogue, log);
      if (!node) {
        console.error(`skip     ${targetName(target)}: built by the release workflow on macOS (needs $${target.runtimeEnv} and codesign)`);
        continue;
      }
      const started = Date.now();
      const binary = path.join(work, `${target.os}-${target.arch}`, target.bin);
      mkdirSync(path.dirname(binary));
      injectBlob(target, node, blob, binary, log);
      const archive = tarGz(
        [
          { name: target.bin, mode: 0o755, data: readFileSync(binary) },
          { name: 'LICENSE', mode: 0o644, data: readFileSync(path.join(repoRoot, 'LICENSE')) },
        ],
        mtime,
      );
      const name = archiveName(tag, target);
      writeFileSync(path.join(out, name), archive);
      sums.set(name, sha256(archive));
      console.error(`archive  ${rel(path.join(out, name))}  ${(archive.length / 1e6).toFixed(1)} MB  sha256 ${sums.get(name)}  ${Date.now() - started} ms`);
    }

    const manifest = renderManifest(readFileSync(path.join(repoRoot, '.krew.yaml'), 'utf8'), tag, (uri) => sums.get(path.posix.basename(uri)));
    const problems = validateManifest(manifest, 'failover');
    if (problems.length > 0) throw new Error(`the rendered krew manifest is not valid:\n  ${problems.join('\n  ')}`);
    writeFileSync(path.join(out, 'krew-manifest.yaml'), manifestYaml(manifest));
    writeFileSync(path.join(out, 'sha256sums.txt'), [...sums].map(([name, sum]) => `${sum}  ${name}\n`).join(''));
    console.error(`manifest ${rel(path.join(out, 'krew-manifest.yaml'))}  ${manifest.spec?.platforms?.length ?? 0} platforms (log: ${rel(log.file)})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
