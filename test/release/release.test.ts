import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installedFiles, type KrewPlugin, validateManifest } from '../../scripts/lib/krew';
import { findRcData, MACHINE_AMD64, parsePe, PE32_PLUS, signature } from '../../scripts/lib/pe';
import { archiveName, TARGETS, type Target } from '../../scripts/lib/platforms';
import { cacheRoot, readCatalogue } from '../../scripts/lib/runtimes';
import { SEA_BLOB_MAGIC, SEA_FUSE, SEA_RESOURCE } from '../../scripts/lib/sea';

// `npm run release` end to end, twice: the archives, the manifest, and the binaries in them run
// (linux/arm64 under qemu-user) or are checked as what they claim to be (the Windows PE).
const root = path.resolve('.');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const tag = `v${version}`;
const catalogue = readCatalogue();
const work = mkdtempSync(path.join(tmpdir(), 'kf-release-'));
const first = path.join(work, 'first');
const second = path.join(work, 'second');
const build = path.join(work, 'build');
const built = TARGETS.filter((target) => target.runtime !== undefined);
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const commitDate = Number(execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());

/** Runs `npm run release -- --out OUT` (its one line per step shown, prefixed), after a shell prelude. */
function release(label: string, out: string, shell = ''): Promise<void> {
  const script = `${shell} exec "$0" --import "$1" "$2" --out "$3"`;
  const args = [process.execPath, import.meta.resolve('tsx'), path.join(root, 'scripts', 'release.ts'), out];
  const child = spawn('bash', ['-c', script, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (text: string) => process.stderr.write(text.replace(/^(?=.)/gm, `  ${label} | `)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run release (${label}) failed (exit ${code})`))));
  });
}

/** Extracts one archive into a fresh folder; returns the folder. */
function extract(target: Target): string {
  const dir = path.join(work, `x-${target.os}-${target.arch}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', path.join(first, archiveName(tag, target)), '-C', dir]);
  return dir;
}

/** A script NODE_OPTIONS preloads into a binary, printing the Node it runs on. */
const printRuntime = path.join(work, 'print-runtime.cjs');
writeFileSync(printRuntime, 'process.stdout.write(`runtime ${process.version}\\n`);\n');

test.before(async () => {
  // Side by side (the two cores), the second differing in everything but the commit: output and
  // working folder, time zone, umask, locale.
  await Promise.all([release('first', first), release('second', second, 'cd /; umask 077; export TZ=Pacific/Kiritimati LC_ALL=C;')]);
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out', build], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed: ${result.stderr}`);
});

test('two releases of the same commit are byte-identical (archives, manifest, sums)', () => {
  const files = readdirSync(first).filter((file) => file !== 'release.log').sort();
  assert.equal(files, [...built.map((target) => archiveName(tag, target)), 'krew-manifest.yaml', 'sha256sums.txt'].sort());
  assert.equal(readdirSync(second).filter((file) => file !== 'release.log').sort(), files);
  for (const file of files) assert.is(sha256(path.join(second, file)), sha256(path.join(first, file)), file);
});

test('the manifest lists the platforms built here with their real sha256, and krew accepts it', () => {
  const manifest = load(readFileSync(path.join(first, 'krew-manifest.yaml'), 'utf8')) as KrewPlugin;
  assert.equal(validateManifest(manifest, 'failover'), []);
  assert.is(manifest.spec?.version, tag);
  const platforms = manifest.spec?.platforms ?? [];
  assert.equal(platforms.map((platform) => `${platform.selector?.matchLabels?.os}/${platform.selector?.matchLabels?.arch}`), built.map((target) => `${target.os}/${target.arch}`));
  const sums = readFileSync(path.join(first, 'sha256sums.txt'), 'utf8');
  platforms.forEach((platform, index) => {
    const target = built[index];
    assert.ok(target);
    const file = path.join(first, archiveName(tag, target));
    assert.is(path.posix.basename(platform.uri ?? ''), archiveName(tag, target));
    assert.is(platform.sha256, sha256(file));
    assert.match(sums, `${sha256(file)}  ${archiveName(tag, target)}\n`);
  });
});

test('each archive holds the binary and LICENSE (owner 0, fixed modes, the commit date) and installs as krew installs it', () => {
  const manifest = load(readFileSync(path.join(first, 'krew-manifest.yaml'), 'utf8')) as KrewPlugin;
  const date = new Date(commitDate * 1000).toISOString().replace('T', ' ').slice(0, 19);
  for (const [index, target] of built.entries()) {
    const listing = execFileSync('tar', ['-tvzf', path.join(first, archiveName(tag, target)), '--numeric-owner', '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    const rows = listing.trim().split('\n').map((line) => line.split(/\s+/));
    assert.equal(rows.map((row) => [row[0], row[1], `${row[3]} ${row[4]}`, row[5]]), [
      ['-rwxr-xr-x', '0/0', date, target.bin],
      ['-rw-r--r--', '0/0', date, 'LICENSE'],
    ]);
    const install = installedFiles(manifest.spec?.platforms?.[index] ?? {}, rows.map((row) => row[5] ?? ''));
    assert.equal(install, { files: ['LICENSE', target.bin].sort() }, `${target.os}/${target.arch}`);
    assert.ok(readFileSync(path.join(extract(target), 'LICENSE')).equals(readFileSync('LICENSE')));
  }
});

test('linux/amd64: the archived binary is the one npm run build makes, runs alone with no node on PATH, on the pinned Node', () => {
  const target = built.find((t) => t.os === 'linux' && t.arch === 'amd64');
  assert.ok(target);
  const dir = extract(target);
  const binary = path.join(dir, 'kubectl-failover');
  assert.is(sha256(binary), sha256(path.join(build, 'kubectl-failover')));
  const env = { PATH: '/nonexistent', HOME: dir };
  assert.is(execFileSync(binary, ['--version'], { env, cwd: dir, encoding: 'utf8' }), `${version}\n`);
  assert.is(execFileSync(binary, ['--version'], { env: { ...env, NODE_OPTIONS: `--require ${printRuntime}` }, cwd: dir, encoding: 'utf8' }), `runtime v${catalogue.version}\n${version}\n`);
});

test('linux/arm64: an aarch64 ELF that runs --version under qemu-user, on the pinned Node', () => {
  const target = built.find((t) => t.os === 'linux' && t.arch === 'arm64');
  assert.ok(target);
  const binary = path.join(extract(target), 'kubectl-failover');
  const elf = readFileSync(binary).subarray(0, 20);
  assert.is(elf.toString('latin1', 0, 4), '\x7fELF');
  assert.is(elf.readUInt16LE(18), 183); // e_machine EM_AARCH64
  const provision = spawnSync('bash', ['scripts/provision-qemu.sh'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  assert.is(provision.status, 0, 'scripts/provision-qemu.sh failed (see above)');
  const sysroot = provision.stdout.trim();
  const qemu = execFileSync('bash', ['-c', 'command -v qemu-aarch64'], { encoding: 'utf8' }).trim();
  // No node on PATH (execFileSync would look qemu up on the child's PATH, hence its full path).
  const env = { PATH: '/nonexistent', HOME: work };
  assert.is(execFileSync(qemu, ['-L', sysroot, binary, '--version'], { env, encoding: 'utf8' }), `${version}\n`);
  const withRuntime = execFileSync(qemu, ['-L', sysroot, binary, '--version'], { env: { ...env, NODE_OPTIONS: `--require ${printRuntime}` }, encoding: 'utf8' });
  assert.is(withRuntime, `runtime v${catalogue.version}\n${version}\n`);
});

test('windows/amd64: a PE32+ x64 executable holding the NODE_SEA blob of the same bundle, its fuse set, unsigned', () => {
  const target = built.find((t) => t.os === 'windows');
  assert.ok(target);
  const exe = readFileSync(path.join(extract(target), 'kubectl-failover.exe'));
  const image = parsePe(exe);
  assert.is(image.magic, PE32_PLUS);
  assert.is(image.machine, MACHINE_AMD64);
  const blob = findRcData(exe, SEA_RESOURCE, image);
  assert.ok(blob, `no ${SEA_RESOURCE} resource`);
  assert.is(blob.readUInt32LE(0), SEA_BLOB_MAGIC);
  // Without code cache the blob holds the bundle's source as is: the same bundle npm run build made.
  assert.ok(blob.includes(readFileSync(path.join(build, 'kubectl-failover.cjs'))), 'the blob does not hold the bundle');
  assert.ok(exe.includes(`${SEA_FUSE}:1`), 'fuse not flipped');
  assert.not.ok(exe.includes(`${SEA_FUSE}:0`));
  // The broken Authenticode signature of node.exe was dropped rather than shipped.
  assert.is(signature(image), undefined);

  // The same checks tell the plain node.exe apart: signed, no blob, fuse unset.
  const plain = path.join(cacheRoot(), 'node-runtimes', `node-win-x64-${catalogue.version}`, 'node.exe');
  assert.ok(existsSync(plain));
  const original = readFileSync(plain);
  assert.ok(signature(parsePe(original)));
  assert.is(findRcData(original, SEA_RESOURCE), undefined);
  assert.ok(original.includes(`${SEA_FUSE}:0`));
  assert.throws(() => parsePe(readFileSync(path.join(build, 'kubectl-failover'))), /not a PE image/);
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test.run();
