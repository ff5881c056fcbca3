#!/usr/bin/env node
// npm run release [-- --offline]: release archives (binary + LICENSE) under dist/release/, and their
// sha256 and uri written into krew-manifest.yaml.
//
// Offline (these build machines: no GitHub, no nodejs.org) only linux/amd64 is built, from the
// single-executable binary of `npm run build`. Where the internet is reachable, the other platforms
// come from pkg (maintained fork @yao-pkg/pkg), which downloads its base Node binaries:
//   npx pkg dist/kubectl-failover.cjs --targets node20-linux-arm64,node20-macos-x64,node20-macos-arm64,node20-win-x64 --out-path dist/pkg
// and are archived by this script when present in dist/pkg (pkg names them kubectl-failover-<os>-<arch>).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const manifestPath = process.env.KF_KREW_MANIFEST ?? path.join(root, 'krew-manifest.yaml');
const releaseDir = path.join(root, 'dist', 'release');
const homepage = 'https://github.com/kubectl-failover/kubectl-failover';

const platforms = [
  { os: 'linux', arch: 'amd64', source: path.join(root, 'dist', 'kubectl-failover') },
  { os: 'linux', arch: 'arm64', source: path.join(root, 'dist', 'pkg', 'kubectl-failover-linux-arm64') },
  { os: 'darwin', arch: 'amd64', source: path.join(root, 'dist', 'pkg', 'kubectl-failover-macos-x64') },
  { os: 'darwin', arch: 'arm64', source: path.join(root, 'dist', 'pkg', 'kubectl-failover-macos-arm64') },
  { os: 'windows', arch: 'amd64', source: path.join(root, 'dist', 'pkg', 'kubectl-failover-win-x64.exe') },
];

mkdirSync(releaseDir, { recursive: true });
let manifest = readFileSync(manifestPath, 'utf8');
manifest = manifest.replace(/^(\s*version:\s*).*$/m, `$1v${version}`);
for (const platform of platforms) {
  if (!existsSync(platform.source)) {
    console.error(`skip    ${platform.os}/${platform.arch}: ${path.relative(root, platform.source)} not built (needs pkg and the internet)`);
    continue;
  }
  const bin = platform.os === 'windows' ? 'kubectl-failover.exe' : 'kubectl-failover';
  const archive = `kubectl-failover_${version}_${platform.os}_${platform.arch}.tar.gz`;
  const staging = path.join(releaseDir, `${platform.os}-${platform.arch}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  copyFileSync(platform.source, path.join(staging, bin));
  copyFileSync(path.join(root, 'LICENSE'), path.join(staging, 'LICENSE'));
  // Fixed owner and mtime so the same binary gives the same archive (and sha256).
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-I', 'gzip -n', '-cf', path.join(releaseDir, archive), '-C', staging, bin, 'LICENSE']);
  rmSync(staging, { recursive: true });
  const sha256 = createHash('sha256').update(readFileSync(path.join(releaseDir, archive))).digest('hex');
  const uri = `${homepage}/releases/download/v${version}/${archive}`;
  // Each platform block is "- selector: … os: X … arch: Y … uri: … sha256: …"; rewrite that block only.
  const block = new RegExp(`(os: ${platform.os}\\n\\s+arch: ${platform.arch}\\n\\s+uri: )\\S+(\\n\\s+sha256: )\\S+`);
  if (!block.test(manifest)) throw new Error(`krew-manifest.yaml has no platform block for ${platform.os}/${platform.arch}`);
  manifest = manifest.replace(block, `$1${uri}$2"${sha256}"`);
  console.error(`archive dist/release/${archive}  sha256 ${sha256}`);
}
writeFileSync(manifestPath, manifest);
