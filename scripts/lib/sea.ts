// The standalone binary: esbuild bundles src/ into one CommonJS file, a Node of the pinned version
// turns it into a single-executable-application blob, and postject injects that blob into each
// platform's node binary (Node's SEA support). Without the V8 code cache (useCodeCache: false) the
// blob is the same bytes whichever platform's Node made it, so one blob serves every platform.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { withoutSignature } from './pe';
import type { Target } from './platforms';
import { repoRoot } from './runtimes';
import type { ToolLog } from './toolLog';

export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const SEA_RESOURCE = 'NODE_SEA_BLOB';
/** First four bytes of a SEA blob (little-endian 0x0143da20, Node's src/node_sea.cc kMagic). */
export const SEA_BLOB_MAGIC = 0x0143da20;

// Optional native/peer modules that dependencies try to load inside try/catch (ws, node-fetch,
// debug). They are not installed; in the bundle they fail the same way a missing module does,
// instead of reaching the single-executable require(), which prints a warning for non-builtins.
const optionalModulesAbsent: Plugin = {
  name: 'optional-modules-absent',
  setup(builder) {
    builder.onResolve({ filter: /^(bufferutil|utf-8-validate|encoding|supports-color)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    builder.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `const e = new Error("Cannot find module '${args.path}'"); e.code = 'MODULE_NOT_FOUND'; throw e;`,
      loader: 'js',
    }));
  },
};

// yargs' ESM entry loads cliui's ESM build, whose stand-in for wrap-ansi cuts --help lines in the
// middle of words; its CommonJS build wraps at word boundaries with wrap-ansi. Take that one.
const cliuiCommonJs: Plugin = {
  name: 'cliui-commonjs',
  setup(builder) {
    const cliui = createRequire(path.join(repoRoot, 'node_modules', 'yargs', 'package.json')).resolve('cliui');
    builder.onResolve({ filter: /^cliui$/ }, () => ({ path: cliui }));
  },
};

// Node's built-in punycode is deprecated: requiring it (node-fetch's URL code does) prints a
// DeprecationWarning on stderr. The bundle takes our stand-in on Node's own IDNA functions instead.
const punycodeStandIn: Plugin = {
  name: 'punycode-stand-in',
  setup(builder) {
    builder.onResolve({ filter: /^punycode$/ }, () => ({ path: path.join(repoRoot, 'src', 'shims', 'punycode.ts') }));
  },
};

/**
 * Packages only commands that talk to a cluster need (the kubeconfig and credential code of
 * client-node with its fetch and URL tables, YAML, the proxy agents), and the CLI itself (yargs and
 * every verb) as src/main.ts imports it. V8 parses every function of a script when it loads it,
 * which made `--help` and `version` cost two to three times a bare `node -e 0`. Each of these is
 * bundled on its own as a chunk, kept out of the main script (in the binary: a single-executable
 * asset; beside the bundle: chunks/NAME.js), and compiled the first time it is imported.
 * Deterministic, so the release stays reproducible (V8's code cache would not be).
 */
const DEFERRED_MODULES = /^(@kubernetes\/client-node\/dist\/config\.js|js-yaml|hpagent|socks-proxy-agent)$/;
const DEFERRED_CLI = /^\.\/cli\/app$/;
export const CHUNKS_FOLDER = 'chunks';

// Loads a chunk: the binary's asset, else the file beside the bundle (node dist/kubectl-failover.cjs).
// It gets the bundle's CommonJS require (builtins only, in the binary).
const CHUNK_LOADER = `
module.exports = function loadChunk(name) {
  let source;
  try {
    const sea = require('node:sea');
    if (sea.isSea()) source = sea.getAsset(name, 'utf8');
  } catch {}
  if (source === undefined) {
    const path = require('node:path');
    source = require('node:fs').readFileSync(path.join(path.dirname(require.main.filename), '${CHUNKS_FOLDER}', name), 'utf8');
  }
  const loaded = { exports: {} };
  new Function('module', 'exports', 'require', source)(loaded, loaded.exports, require);
  return loaded.exports;
};
`;

/** A chunk's file name: its module path, made a plain name. */
function chunkName(modulePath: string): string {
  const relative = path.isAbsolute(modulePath) ? path.relative(repoRoot, modulePath) : modulePath;
  return `${relative.replace(/\.(ts|js)$/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.js`;
}

function deferredCompile(target: string, chunks: Map<string, string>, entry?: string): Plugin {
  return {
    name: 'deferred-compile',
    setup(builder) {
      // A chunk's own entry is bundled in it, not deferred again.
      builder.onResolve({ filter: DEFERRED_MODULES }, (args) => (args.path === entry ? undefined : { path: args.path, namespace: 'deferred' }));
      builder.onResolve({ filter: DEFERRED_CLI }, (args) => (path.basename(args.importer) === 'main.ts' ? { path: path.join(args.resolveDir, 'cli', 'app.ts'), namespace: 'deferred' } : undefined));
      builder.onResolve({ filter: /^kf-chunk-loader$/ }, (args) => ({ path: args.path, namespace: 'chunk-loader' }));
      builder.onLoad({ filter: /.*/, namespace: 'chunk-loader' }, () => ({ contents: CHUNK_LOADER, loader: 'js' }));
      builder.onLoad({ filter: /.*/, namespace: 'deferred' }, async (args) => {
        const name = chunkName(args.path);
        if (!chunks.has(name)) {
          chunks.set(name, '');
          const chunk = await build({
            absWorkingDir: repoRoot,
            stdin: { contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir: repoRoot, loader: 'js' },
            bundle: true,
            write: false,
            platform: 'node',
            target,
            format: 'cjs',
            minify: true,
            legalComments: 'none',
            logLevel: 'warning',
            // The CLI's chunk defers the packages above in turn.
            plugins: [optionalModulesAbsent, cliuiCommonJs, punycodeStandIn, deferredCompile(target, chunks, args.path)],
          });
          chunks.set(name, chunk.outputFiles[0]?.text ?? '');
        }
        return { contents: `module.exports = require('kf-chunk-loader')(${JSON.stringify(name)});\n`, loader: 'js' };
      });
    },
  };
}

/**
 * What `kubectl failover version` reports: the commit built and that commit's date (not the build's,
 * so two builds of one commit stay identical). Outside a git checkout both are "unknown".
 */
function buildStamp(): { commit: string; commitDate: string } {
  try {
    const [commit = 'unknown', commitDate = 'unknown'] = execFileSync('git', ['log', '-1', '--format=%H %cI'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(' ');
    return { commit, commitDate };
  } catch {
    return { commit: 'unknown', commitDate: 'unknown' };
  }
}

/** The help texts, rendered by the CLI bundled as the binary bundles it (scripts/lib/helpTexts.ts). */
async function renderHelpTexts(): Promise<Record<string, string>> {
  const work = mkdtempSync(path.join(tmpdir(), 'kf-help-'));
  try {
    const renderer = path.join(work, 'help.cjs');
    await build({
      absWorkingDir: repoRoot,
      entryPoints: [path.join(repoRoot, 'scripts/lib/helpTexts.ts')],
      outfile: renderer,
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      logLevel: 'warning',
      plugins: [optionalModulesAbsent, cliuiCommonJs, punycodeStandIn],
    });
    return JSON.parse(execFileSync(process.execPath, [renderer], { encoding: 'utf8' })) as Record<string, string>;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Bundles src/main.ts for the embedded Node's major version, its deferred chunks in chunks/ beside
 * it. Deterministic: no paths or times.
 */
export async function bundle(outfile: string, nodeVersion: string): Promise<void> {
  const chunks = new Map<string, string>();
  const stamp = buildStamp();
  const helpTexts = await renderHelpTexts();
  await build({
    absWorkingDir: repoRoot,
    entryPoints: [path.join(repoRoot, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: `node${nodeVersion.split('.')[0]}`,
    // Node's single-executable support runs a CommonJS main; ESM-only deps (ora) are bundled in.
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    define: { KF_BUILD_COMMIT: JSON.stringify(stamp.commit), KF_BUILD_COMMIT_DATE: JSON.stringify(stamp.commitDate), KF_PREBUILT_HELP: JSON.stringify(helpTexts) },
    logLevel: 'warning',
    plugins: [optionalModulesAbsent, cliuiCommonJs, punycodeStandIn, deferredCompile(`node${nodeVersion.split('.')[0]}`, chunks)],
  });
  const folder = path.join(path.dirname(outfile), CHUNKS_FOLDER);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const [name, source] of chunks) writeFileSync(path.join(folder, name), source);
}

/**
 * Makes the SEA blob with `node` (a Node of the version the binaries embed). The config names the
 * bundle by a relative path, run from its folder: the blob records that path, and an absolute
 * one would tie the bytes to the build folder.
 */
export function makeBlob(node: string, bundlePath: string, blobPath: string, log: ToolLog): void {
  const work = mkdtempSync(path.join(path.dirname(blobPath), '.sea-'));
  try {
    copyFileSync(bundlePath, path.join(work, 'kubectl-failover.cjs'));
    // The deferred chunks travel as assets, named as the loader asks for them, in a fixed order.
    const chunkFolder = path.join(path.dirname(bundlePath), CHUNKS_FOLDER);
    const assets: Record<string, string> = {};
    mkdirSync(path.join(work, CHUNKS_FOLDER));
    for (const name of readdirSync(chunkFolder).sort()) {
      copyFileSync(path.join(chunkFolder, name), path.join(work, CHUNKS_FOLDER, name));
      assets[name] = `${CHUNKS_FOLDER}/${name}`;
    }
    const config = { main: 'kubectl-failover.cjs', output: 'sea-prep.blob', disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, assets };
    writeFileSync(path.join(work, 'sea-config.json'), JSON.stringify(config));
    log.run(node, ['--experimental-sea-config', 'sea-config.json'], { cwd: work });
    copyFileSync(path.join(work, 'sea-prep.blob'), blobPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (readFileSync(blobPath).readUInt32LE(0) !== SEA_BLOB_MAGIC) throw new Error(`${blobPath} is not a single-executable blob; full log: ${log.file}`);
}

/**
 * Copies a platform's node binary to `out` and injects the blob. Windows: the Authenticode
 * signature is dropped first (it would no longer match). macOS: the signature is removed before
 * and an ad-hoc one made after, with Apple's codesign (so only on a Mac).
 */
export function injectBlob(target: Target, node: string, blobPath: string, out: string, log: ToolLog): void {
  rmSync(out, { force: true });
  if (target.os === 'windows') writeFileSync(out, withoutSignature(readFileSync(node)));
  else copyFileSync(node, out);
  chmodSync(out, 0o755);
  if (target.os === 'darwin') {
    if (process.platform !== 'darwin') throw new Error(`${target.os}/${target.arch} needs Apple's codesign: build it on macOS (.github/workflows/release.yml)`);
    log.run('codesign', ['--remove-signature', out]);
  }
  const postject = path.join(repoRoot, 'node_modules', 'postject', 'dist', 'cli.js');
  const macho = target.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  // postject's own output (and LIEF's warnings about the ELF notes it rewrites) go to the log.
  log.run(process.execPath, [postject, out, SEA_RESOURCE, blobPath, '--sentinel-fuse', SEA_FUSE, ...macho], { env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  if (target.os === 'darwin') log.run('codesign', ['--sign', '-', out]);
}
