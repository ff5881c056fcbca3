import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installedFiles, type KrewPlugin, renderManifest, SHORT_DESCRIPTION_MAX, validateManifest } from '../../scripts/lib/krew';
import { archiveName, TARGETS } from '../../scripts/lib/platforms';
import { StorkKinds, WorkloadKinds } from '../../src/stork/kinds';
import { ReconcilerKinds } from '../../src/plan/reconcilers';

// .krew.yaml is the one source of the manifest: krew-release-bot renders it for krew-index, and
// npm run release renders it with the sums of the archives it built. Checked by krew's own rules
// (scripts/lib/krew.ts re-implements kubernetes-sigs/krew's validation) and krew-index's guidelines.
const template = readFileSync('.krew.yaml', 'utf8');
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const tag = `v${version}`;
const fakeSum = (uri: string): string => Buffer.from(uri).toString('hex').padEnd(64, '0').slice(0, 64);
const full = (): KrewPlugin => renderManifest(template, tag, fakeSum);

test('.krew.yaml renders (every platform) into a manifest krew accepts', () => {
  const manifest = full();
  assert.equal(validateManifest(manifest, 'failover'), []);
  assert.is(manifest.spec?.version, tag);
  const platforms = manifest.spec?.platforms ?? [];
  assert.equal(
    platforms.map((platform) => `${platform.selector?.matchLabels?.os}/${platform.selector?.matchLabels?.arch}`),
    TARGETS.map((target) => `${target.os}/${target.arch}`),
  );
  platforms.forEach((platform, index) => {
    const target = TARGETS[index];
    assert.ok(target);
    assert.is(platform.uri, `https://github.com/kubectl-failover/kubectl-failover/releases/download/${tag}/${archiveName(tag, target)}`);
    assert.is(platform.sha256, fakeSum(platform.uri ?? ''));
    assert.is(platform.bin, target.bin);
    assert.equal(installedFiles(platform, [target.bin, 'LICENSE']), { files: [target.bin, 'LICENSE'].sort() });
  });
});

test('a platform whose archive was not built is left out, never given a placeholder sum', () => {
  const built = new Set(['linux_amd64', 'windows_amd64']);
  const manifest = renderManifest(template, tag, (uri) => ([...built].some((name) => uri.endsWith(`_${name}.tar.gz`)) ? fakeSum(uri) : undefined));
  assert.equal(validateManifest(manifest, 'failover'), []);
  assert.equal(
    manifest.spec?.platforms?.map((platform) => platform.uri?.replace(/.*_(\w+_\w+)\.tar\.gz$/, '$1')),
    ['linux_amd64', 'windows_amd64'],
  );
  assert.throws(() => renderManifest(`${template}\n# {{ .Version }}\n`, tag, fakeSum), /not supported here: \{\{ \.Version \}\}/);
});

test('addURIAndSha sits at four spaces, where krew-release-bot puts the sha256 line it adds', () => {
  const lines = template.split('\n').filter((line) => line.includes('addURIAndSha'));
  assert.is(lines.length, TARGETS.length);
  for (const line of lines) assert.match(line, /^ {4}\{\{addURIAndSha "[^"]+" \.TagName \}\}$/);
});

test('krew-index guidelines: a short description krew search shows whole, a description without flags', () => {
  const spec = full().spec;
  assert.ok((spec?.shortDescription ?? '').length <= SHORT_DESCRIPTION_MAX, spec?.shortDescription);
  assert.not.match(spec?.description ?? '', /(^|\s)--?[A-Za-z]/);
});

test('the caveats name every kind the plugin reads or writes, so an admin can grant RBAC', () => {
  const caveats = (full().spec?.caveats ?? '').replace(/\s+/g, ' ');
  const plural = (kind: string): string => (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`);
  const fromCode = [...Object.values(WorkloadKinds), ...Object.values(StorkKinds), ...Object.values(ReconcilerKinds)].map((wanted) => plural(wanted.kind));
  const named = ['Deployments', 'StatefulSets', 'ReplicaSets', 'DeploymentConfigs', 'CronJobs', 'VirtualMachines', 'MigrationSchedules', 'Migrations', 'Actions', 'PersistentVolumeClaims', 'Pods', 'IBPPeers', 'IBPCAs', 'IBPOrderers', 'IBPConsoles', 'HorizontalPodAutoscalers', 'Namespaces', 'Leases', 'ConfigMaps', 'Events'];
  for (const kind of new Set([...fromCode, ...named])) assert.ok(new RegExp(`\\b${kind}\\b`).test(caveats), `caveats do not name ${kind}`);
  assert.match(caveats, 'custom resources registered through ApplicationRegistrations');
  // The run lease (io/runLease.ts), the run record (io/runRecord.ts) and Events (io/events.ts): the verbs they send.
  assert.match(caveats, 'get, create, update, patch, delete Leases (coordination.k8s.io)');
  assert.match(caveats, 'get, list, create, patch ConfigMaps (the run records) on the destination');
  assert.match(caveats, 'create Events (events.k8s.io)');
});

// Each rule of krew's ValidatePlugin / validate-krew-manifest, broken one at a time.
const broken: Array<[string, (manifest: KrewPlugin) => void, RegExp]> = [
  ['apiVersion', (m) => (m.apiVersion = 'krew.googlecontainertools.github.com/v1alpha1'), /apiVersion/],
  ['kind', (m) => (m.kind = 'Plugins'), /kind=/],
  ['name differs from the file', (m) => (m.metadata = { name: 'fail-over' }), /should be named "failover"/],
  ['short description too long', (m) => m.spec && (m.spec.shortDescription = 'Fail apps over between clusters in a Stork async DR setup'), /57 characters/],
  ['short description with a line break', (m) => m.spec && (m.spec.shortDescription = 'Fail over\napps'), /line breaks/],
  ['description listing flags', (m) => m.spec && (m.spec.description = 'Use --dry-run=server first.'), /lists flags/],
  ['version without v', (m) => m.spec && (m.spec.version = version), /leading v/],
  ['version not semantic', (m) => m.spec && (m.spec.version = 'v1.2'), /semantic/],
  ['no platforms', (m) => m.spec && (m.spec.platforms = []), /platform specified/],
  ['no uri', (m) => m.spec?.platforms?.[0] && delete m.spec.platforms[0].uri, /`uri` has to be set/],
  ['no sha256', (m) => m.spec?.platforms?.[0] && delete m.spec.platforms[0].sha256, /`sha256` sum has to be set/],
  ['upper-case sha256', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].sha256 = 'A'.repeat(64)), /not valid/],
  ['no bin', (m) => m.spec?.platforms?.[0] && delete m.spec.platforms[0].bin, /`bin` has to be set/],
  ['empty files', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].files = []), /unspecified or non-empty/],
  ['file without to', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].files = [{ from: 'LICENSE' }]), /`to` field/],
  ['no selector', (m) => m.spec?.platforms?.[0] && delete m.spec.platforms[0].selector, /nil selector/],
  ['selector key other than os/arch', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].selector = { matchLabels: { os: 'linux', distro: 'debian' } }), /key "distro" not supported/],
  ['empty matchLabels', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].selector = { matchLabels: {}, matchExpressions: [{ key: 'os', operator: 'In', values: ['linux'] }] }), /matchLabels` specified but empty/],
  ['selector for no krew platform', (m) => m.spec?.platforms?.[0] && (m.spec.platforms[0].selector = { matchLabels: { os: 'plan9', arch: 'amd64' } }), /matches no platform/],
  ['overlapping selectors', (m) => m.spec?.platforms?.[1] && (m.spec.platforms[1].selector = { matchExpressions: [{ key: 'os', operator: 'In', values: ['linux'] }] }), /overlapping selectors that select linux\/amd64/],
];
for (const [name, breakIt, problem] of broken) {
  test(`krew rejects a manifest with ${name}`, () => {
    const manifest = full();
    breakIt(manifest);
    const problems = validateManifest(manifest, 'failover');
    assert.ok(problems.some((text) => problem.test(text)), `expected ${problem}, got ${JSON.stringify(problems)}`);
  });
}

test('krew rejects unsafe plugin names (Windows device names, path characters)', () => {
  for (const name of ['CON', 'lpt1', 'fail/over']) {
    const manifest = full();
    manifest.metadata = { name };
    assert.ok(validateManifest(manifest, name).some((text) => text.includes('is not allowed')), name);
  }
});

test('installing from an archive, as krew moves files: every from matched, bin and a license installed, paths clean', () => {
  const platform = full().spec?.platforms?.[0] ?? {};
  assert.equal(installedFiles(platform, ['kubectl-failover', 'LICENSE']), { files: ['LICENSE', 'kubectl-failover'] });
  assert.equal(installedFiles(platform, ['kubectl-failover']), { problem: 'no files in the plugin archive matched the glob pattern=LICENSE' });
  assert.match(JSON.stringify(installedFiles(platform, ['bin/kubectl-failover', 'LICENSE'])), 'matched the glob pattern=kubectl-failover');
  assert.match(JSON.stringify(installedFiles({ ...platform, files: undefined }, ['kubectl-failover', 'README.md'])), 'could not find license file');
  assert.equal(installedFiles({ ...platform, files: [{ from: '*', to: '.' }] }, ['kubectl-failover', 'LICENSE']), { files: ['LICENSE', 'kubectl-failover'] });
  assert.match(JSON.stringify(installedFiles({ ...platform, files: [{ from: 'kubectl-failover', to: './bin' }] }, ['kubectl-failover', 'LICENSE'])), 'not clean');
  assert.match(JSON.stringify(installedFiles({ ...platform, files: [{ from: 'LICENSE', to: '../x' }, { from: 'kubectl-failover', to: '.' }] }, ['kubectl-failover', 'LICENSE'])), 'out of bounds');
  assert.match(JSON.stringify(installedFiles({ ...platform, bin: 'kubectl-failover.exe' }, ['kubectl-failover', 'LICENSE'])), 'cannot be found');
});

test.run();
