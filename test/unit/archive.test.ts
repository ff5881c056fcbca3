import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sourceDateEpoch, tar, tarGz } from '../../scripts/lib/archive';

// Release archives are written by our own ustar writer and read back here by the system's tar,
// which is what krew and users unpack them with.
const mtime = 1764000000; // 2025-11-24T16:00:00Z
const binary = Buffer.alloc(1536 + 7, 0xab); // crosses block boundaries and ends mid-block
const license = Buffer.from('Apache License\n');
const entries = [
  { name: 'kubectl-failover', mode: 0o755, data: binary },
  { name: 'LICENSE', mode: 0o644, data: license },
];

function withArchive<T>(archive: Buffer, use: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-archive-'));
  try {
    const file = path.join(dir, 'a.tar.gz');
    writeFileSync(file, archive);
    return use(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tar lists the entries in the given order, owner 0/0, fixed modes and the given mtime', () => {
  const listing = withArchive(tarGz(entries, mtime), (file) =>
    execFileSync('tar', ['-tvzf', file, '--numeric-owner', '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }),
  );
  assert.equal(listing.trim().split('\n').map((line) => line.split(/\s+/)), [
    ['-rwxr-xr-x', '0/0', String(binary.length), '2025-11-24', '16:00:00', 'kubectl-failover'],
    ['-rw-r--r--', '0/0', String(license.length), '2025-11-24', '16:00:00', 'LICENSE'],
  ]);
});

test('tar extracts the same bytes; the gzip header carries no name and no time', () => {
  const archive = tarGz(entries, mtime);
  // gzip header: magic 1f 8b, method 8, flags (FNAME = 8 must be off), mtime (4 bytes, 0 with -n).
  assert.equal([...archive.subarray(0, 3)], [0x1f, 0x8b, 8]);
  assert.is((archive[3] ?? 0xff) & 0x08, 0);
  assert.is(archive.readUInt32LE(4), 0);
  withArchive(archive, (file, dir) => {
    execFileSync('tar', ['-xzf', file, '-C', dir]);
    assert.ok(readFileSync(path.join(dir, 'kubectl-failover')).equals(binary));
    assert.ok(readFileSync(path.join(dir, 'LICENSE')).equals(license));
  });
});

test('the same inputs give the same bytes; another time or mode gives other bytes', () => {
  const sum = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
  assert.is(sum(tarGz(entries, mtime)), sum(tarGz(entries, mtime)));
  assert.is.not(sum(tar(entries, mtime)), sum(tar(entries, mtime + 1)));
  assert.is.not(sum(tar(entries, mtime)), sum(tar([{ name: 'kubectl-failover', mode: 0o700, data: binary }, { name: 'LICENSE', mode: 0o644, data: license }], mtime)));
  // A whole number of 10240-byte records, as tar tools write.
  assert.is(tar(entries, mtime).length % 10240, 0);
  assert.throws(() => tar([{ name: 'a'.repeat(101), mode: 0o644, data: license }], mtime), /not supported/);
});

test('the archives are stamped with SOURCE_DATE_EPOCH when set, else the commit date, never the build time', () => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  try {
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    assert.is(sourceDateEpoch('.'), 1700000000);
    process.env.SOURCE_DATE_EPOCH = 'yesterday';
    assert.throws(() => sourceDateEpoch('.'), /seconds since 1970/);
    delete process.env.SOURCE_DATE_EPOCH;
    assert.is(sourceDateEpoch('.'), Number(execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim()));
    assert.throws(() => sourceDateEpoch(tmpdir()), /set SOURCE_DATE_EPOCH/);
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test.run();
