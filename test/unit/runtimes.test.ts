import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchesIntegrity, readCatalogue } from '../../scripts/lib/runtimes';

// The Node the binaries embed: pinned in scripts/node-runtimes.json, fetched from the npm registry
// by name and version, used only when the tarball matches the pinned integrity.
test('runtime tarballs are checked against their subresource-integrity hash', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-sri-'));
  try {
    const file = path.join(dir, 'node.tgz');
    writeFileSync(file, 'the package');
    const sri = `sha512-${createHash('sha512').update('the package').digest('base64')}`;
    assert.ok(matchesIntegrity(file, sri));
    writeFileSync(file, 'the package, changed');
    assert.not.ok(matchesIntegrity(file, sri));
    assert.throws(() => matchesIntegrity(file, 'md5-abc'), /not an integrity string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one pinned runtime version for linux-x64, linux-arm64 and win-x64, each with a sha512 integrity', () => {
  const catalogue = readCatalogue();
  assert.equal(Object.keys(catalogue.packages).sort(), ['linux-arm64', 'linux-x64', 'win-x64']);
  for (const [key, entry] of Object.entries(catalogue.packages)) {
    assert.is(entry.name, `node-${key}`);
    assert.match(entry.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
  }
  // An even major is an LTS line; the README says which and when it ends.
  assert.is(Number(catalogue.version.split('.')[0]) % 2, 0);
  const readme = readFileSync('README.md', 'utf8');
  assert.match(readme, `Node.js ${catalogue.version}`);
  assert.match(readme, catalogue.endOfLife);
});

test.run();
