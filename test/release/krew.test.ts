import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

interface Platform {
  selector?: { matchLabels?: { os?: string; arch?: string } };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: Array<{ from?: string; to?: string }>;
}

interface KrewPlugin {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: { version?: string; homepage?: string; shortDescription?: string; description?: string; caveats?: string; platforms?: Platform[] };
}

const root = path.resolve('.');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

function readManifest(file: string): KrewPlugin {
  return load(readFileSync(file, 'utf8')) as KrewPlugin;
}

test('krew-manifest.yaml has the structure krew requires', () => {
  const manifest = readManifest(path.join(root, 'krew-manifest.yaml'));
  assert.is(manifest.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.is(manifest.kind, 'Plugin');
  assert.is(manifest.metadata?.name, 'failover');
  assert.is(manifest.spec?.version, `v${version}`);
  for (const field of ['homepage', 'shortDescription', 'description', 'caveats'] as const) assert.ok(manifest.spec?.[field], `spec.${field}`);
  const platforms = manifest.spec?.platforms ?? [];
  assert.equal(
    platforms.map((platform) => `${platform.selector?.matchLabels?.os}/${platform.selector?.matchLabels?.arch}`),
    ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64'],
  );
  for (const platform of platforms) {
    assert.match(platform.uri ?? '', /^https:\/\/.*\.tar\.gz$/);
    assert.match(platform.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(platform.bin === 'kubectl-failover' || platform.bin === 'kubectl-failover.exe');
    assert.equal(platform.files?.map((file) => file.from), [platform.bin, 'LICENSE']);
  }
});

test('the release script writes the sha256 of the linux/amd64 archive it just built', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-krew-'));
  const manifestCopy = path.join(dir, 'krew-manifest.yaml');
  copyFileSync(path.join(root, 'krew-manifest.yaml'), manifestCopy);
  execFileSync(process.execPath, ['scripts/release.mjs'], { env: { ...process.env, KF_KREW_MANIFEST: manifestCopy }, stdio: ['ignore', 'ignore', 'ignore'] });
  const archive = path.join(root, 'dist', 'release', `kubectl-failover_${version}_linux_amd64.tar.gz`);
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const linux = readManifest(manifestCopy).spec?.platforms?.find((platform) => platform.selector?.matchLabels?.os === 'linux' && platform.selector.matchLabels.arch === 'amd64');
  assert.is(linux?.sha256, sha256);
  assert.match(linux?.uri ?? '', `/v${version}/kubectl-failover_${version}_linux_amd64.tar.gz`);
  const listing = execFileSync('tar', ['-tzf', archive]).toString().trim().split('\n').sort();
  assert.equal(listing, ['LICENSE', 'kubectl-failover']);
  // The archived binary is the one `npm run build` made.
  const extracted = mkdtempSync(path.join(tmpdir(), 'kf-archive-'));
  execFileSync('tar', ['-xzf', archive, '-C', extracted]);
  const hash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.is(hash(path.join(extracted, 'kubectl-failover')), hash(path.join(root, 'dist', 'kubectl-failover')));
});

test.run();
