// The Node.js runtimes the standalone binaries embed: the npm registry's node-<os>-<arch> packages
// (official Node builds), pinned by name, version and integrity in scripts/node-runtimes.json.
// They declare os/cpu, so npm ci cannot install them as dependencies: `npm pack` fetches each one
// by name and version from the registry the user's npm is configured with, and the tarball is
// checked against the committed integrity hash before its node binary is used.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolLog } from './toolLog';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RuntimePackage {
  name: string;
  /** Subresource-integrity string of the package tarball, as the registry publishes it (dist.integrity). */
  integrity: string;
  /** The node binary inside the tarball. */
  bin: string;
}

export interface RuntimeCatalogue {
  version: string;
  endOfLife: string;
  packages: Record<string, RuntimePackage>;
}

function isPackage(value: unknown): value is RuntimePackage {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.name === 'string' && typeof entry.integrity === 'string' && typeof entry.bin === 'string';
}

export function readCatalogue(file = path.join(repoRoot, 'scripts', 'node-runtimes.json')): RuntimeCatalogue {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const packages = raw.packages as Record<string, unknown> | undefined;
  if (typeof raw.version !== 'string' || typeof raw.endOfLife !== 'string' || !packages || !Object.values(packages).every(isPackage)) {
    throw new Error(`${file}: expected {version, endOfLife, packages: {<key>: {name, integrity, bin}}}`);
  }
  return { version: raw.version, endOfLife: raw.endOfLife, packages: packages as Record<string, RuntimePackage> };
}

/** ${XDG_CACHE_HOME:-~/.cache}/kubectl-failover, shared with the sandbox's kube-apiserver build. */
export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'kubectl-failover');
}

/** Does the file's content match a subresource-integrity string (`sha512-<base64>`, or sha256/sha384)? */
export function matchesIntegrity(file: string, integrity: string): boolean {
  const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(integrity.trim());
  if (!match?.[1] || !match[2]) throw new Error(`not an integrity string: ${integrity}`);
  return createHash(match[1]).update(readFileSync(file)).digest('base64') === match[2];
}

export interface Runtime {
  version: string;
  key: string;
  /** The node binary, extracted into the cache. */
  node: string;
  /** How it was obtained, for the build's one-line summary. */
  origin: string;
}

/**
 * The node binary of one runtime package, fetched and verified once, then taken from the cache.
 * The extracted folder appears only after its tarball matched the integrity hash.
 */
export function fetchRuntime(key: string, log: ToolLog, catalogue = readCatalogue()): Runtime {
  const entry = catalogue.packages[key];
  if (!entry) throw new Error(`scripts/node-runtimes.json has no runtime for ${key} (known: ${Object.keys(catalogue.packages).join(', ')})`);
  const spec = `${entry.name}@${catalogue.version}`;
  const dir = path.join(cacheRoot(), 'node-runtimes');
  const extracted = path.join(dir, `${entry.name}-${catalogue.version}`);
  const node = path.join(extracted, path.basename(entry.bin));
  if (existsSync(node)) return { version: catalogue.version, key, node, origin: `${spec}, cached` };

  mkdirSync(dir, { recursive: true });
  const tarball = path.join(dir, `${entry.name}-${catalogue.version}.tgz`);
  let origin = `${spec} from the npm registry`;
  // Every step writes under a private name and renames into place, so builds running side by side
  // (the release test runs two) never see a half-written file.
  const staging = mkdtempSync(path.join(dir, '.fetch-'));
  try {
    if (existsSync(tarball) && matchesIntegrity(tarball, entry.integrity)) origin = `${spec}, cached tarball`;
    else {
      // npm pack fetches from the registry the user configured; its JSON names the file it wrote.
      const out = log.run('npm', ['pack', spec, '--pack-destination', staging, '--json', '--silent'], { keepStdout: true });
      const packed = (JSON.parse(out) as Array<{ filename?: string }>)[0]?.filename ?? '';
      const file = path.join(staging, packed);
      if (!packed || !existsSync(file)) throw new Error(`npm pack ${spec} wrote no tarball; full log: ${log.file}`);
      if (!matchesIntegrity(file, entry.integrity)) {
        throw new Error(`${spec} from the registry does not match the integrity in scripts/node-runtimes.json (${entry.integrity}); refusing to use it`);
      }
      renameSync(file, tarball);
    }
    log.run('tar', ['-xzf', tarball, '-C', staging, entry.bin]);
    mkdirSync(path.join(staging, 'out'));
    renameSync(path.join(staging, entry.bin), path.join(staging, 'out', path.basename(entry.bin)));
    try {
      renameSync(path.join(staging, 'out'), extracted);
    } catch (error) {
      // Another build extracted the same verified tarball first: use theirs.
      if (!existsSync(node)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { version: catalogue.version, key, node, origin };
}
