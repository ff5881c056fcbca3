import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// scripts/apt-deb-src.sh derives the deb-src entry the kube-apiserver build needs from the system's
// own apt sources, so a user behind their own mirror builds from it. Fixtures stand in for /etc/apt.
function derive(files: Record<string, string>): { status: number | null; stdout: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-apt-'));
  try {
    mkdirSync(path.join(dir, 'sources.list.d'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const result = spawnSync('bash', ['scripts/apt-deb-src.sh', 'bookworm'], { env: { ...process.env, APT_DIR: dir }, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const codename = spawnSync('bash', ['-c', '. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}"'], { encoding: 'utf8' }).stdout.trim() || 'bookworm';

test('deb822 sources (Types: deb only): deb-src keeps URIs and Signed-By, skips -security, disabled and other suites', () => {
  const { status, stdout } = derive({
    'sources.list.d/debian.sources': [
      'Types: deb',
      '# a comment',
      'URIs: http://mirror.internal.example/debian',
      `Suites: ${codename} ${codename}-updates`,
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb',
      'URIs: http://mirror.internal.example/debian-security',
      `Suites: ${codename}-security`,
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://disabled.example/debian',
      `Suites: ${codename}`,
      'Components: main',
      'Enabled: no',
      '',
    ].join('\n'),
    'sources.list.d/nodesource.sources': 'Types: deb\nURIs: https://nodesource.example/node_20.x\nSuites: nodistro\nComponents: main\n',
  });
  assert.is(status, 0);
  assert.is(stdout, 'Types: deb-src\nURIs: http://mirror.internal.example/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n');
});

test('one-line sources.list: options are read, signed-by kept', () => {
  const { status, stdout } = derive({
    'sources.list': `deb [arch=amd64 signed-by=/etc/apt/keyrings/d.gpg] http://proxy.example/debian ${codename} main contrib\n# deb http://commented.example/debian ${codename} main\ndeb http://proxy.example/debian-security ${codename}-security main\n`,
  });
  assert.is(status, 0);
  assert.is(stdout, 'Types: deb-src\nURIs: http://proxy.example/debian\nSuites: bookworm\nComponents: main\nSigned-By: /etc/apt/keyrings/d.gpg\n\n');
});

test('no Debian archive among the sources: exit 1, nothing printed', () => {
  const { status, stdout } = derive({ 'sources.list.d/other.sources': 'Types: deb\nURIs: https://x.example/apt\nSuites: stable\nComponents: main\n' });
  assert.is(status, 1);
  assert.is(stdout, '');
});

test.run();
