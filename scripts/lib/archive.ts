// Reproducible .tar.gz archives: the tar is written here (POSIX ustar), so nothing of the build
// machine gets in: entries in the order given, owner and group 0 with no names, fixed modes, one
// mtime for all (the commit's date). gzip -n leaves the name and time out of the gzip header.
// System gzip rather than node:zlib: Node's zlib (Chromium's) compresses differently by CPU and
// version, GNU gzip's output has been stable for decades.
import { execFileSync, spawnSync } from 'node:child_process';

export interface ArchiveEntry {
  name: string;
  mode: number;
  data: Buffer;
}

const BLOCK = 512;
const RECORD = 20 * BLOCK;

function octal(value: number, width: number): string {
  const text = value.toString(8);
  if (text.length > width - 1) throw new Error(`${value} does not fit a tar field of ${width} bytes`);
  return `${text.padStart(width - 1, '0')}\0`;
}

function header(entry: ArchiveEntry, mtime: number): Buffer {
  if (Buffer.byteLength(entry.name) > 100 || !/^[\x21-\x7e]+$/.test(entry.name)) throw new Error(`tar entry name not supported: ${entry.name}`);
  const block = Buffer.alloc(BLOCK);
  block.write(entry.name, 0, 'ascii');
  block.write(octal(entry.mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii'); // uid
  block.write(octal(0, 8), 116, 'ascii'); // gid
  block.write(octal(entry.data.length, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write(' '.repeat(8), 148, 'ascii'); // checksum counts as spaces while summing
  block.write('0', 156, 'ascii'); // regular file
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(octal(0, 8), 329, 'ascii'); // devmajor
  block.write(octal(0, 8), 337, 'ascii'); // devminor
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A ustar archive of the entries, in the order given, all with this mtime (seconds since 1970). */
export function tar(entries: readonly ArchiveEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const entry of entries) {
    const padding = Buffer.alloc((BLOCK - (entry.data.length % BLOCK)) % BLOCK);
    parts.push(header(entry, mtime), entry.data, padding);
    size += BLOCK + entry.data.length + padding.length;
  }
  // Two zero blocks end the archive; tar tools pad it to a whole record.
  size += 2 * BLOCK;
  parts.push(Buffer.alloc(2 * BLOCK + ((RECORD - (size % RECORD)) % RECORD)));
  return Buffer.concat(parts);
}

/** gzip -n of the data (default level): no file name, no time in the header. */
export function gzip(data: Buffer): Buffer {
  const result = spawnSync('gzip', ['-n', '-c'], { input: data, maxBuffer: 2 * data.length + 1024 * 1024 });
  if (result.error) throw new Error(`gzip could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`gzip exited ${result.status}: ${result.stderr.toString().trim()}`);
  return result.stdout;
}

export function tarGz(entries: readonly ArchiveEntry[], mtime: number): Buffer {
  return gzip(tar(entries, mtime));
}

/**
 * The time a release stamps into its archives: $SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), else the commit's date; never the time of the build.
 */
export function sourceDateEpoch(repo: string): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d+$/.test(fromEnv)) throw new Error(`SOURCE_DATE_EPOCH must be seconds since 1970, not ${fromEnv}`);
    return Number(fromEnv);
  }
  let date = '';
  try {
    date = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // handled below
  }
  if (!/^\d+$/.test(date)) throw new Error('cannot read the commit date (not a git checkout?): set SOURCE_DATE_EPOCH');
  return Number(date);
}
