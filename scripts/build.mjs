#!/usr/bin/env node
// npm run build: esbuild bundles src/ into dist/kubectl-failover.cjs, then Node's single-executable
// application support turns that bundle into dist/kubectl-failover, a standalone binary that needs
// no node and no node_modules. This works offline with the node running the build (pkg would
// download its base binaries; scripts/release.mjs uses pkg for other platforms where it can).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'kubectl-failover.cjs');
const binary = path.join(dist, 'kubectl-failover');
const mb = (file) => `${(statSync(file).size / 1e6).toFixed(1)} MB`;

// Optional native/peer modules that dependencies try to load inside try/catch (ws, node-fetch,
// debug). They are not installed; in the bundle they fail the same way a missing module does,
// instead of reaching the single-executable require(), which prints a warning for non-builtins.
const optionalModulesAbsent = {
  name: 'optional-modules-absent',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate|encoding|supports-color)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `const e = new Error("Cannot find module '${args.path}'"); e.code = 'MODULE_NOT_FOUND'; throw e;`,
      loader: 'js',
    }));
  },
};

// yargs' ESM entry loads cliui's ESM build, whose stand-in for wrap-ansi cuts --help lines in the
// middle of words; its CommonJS build wraps at word boundaries with wrap-ansi. Take that one.
const cliuiCommonJs = {
  name: 'cliui-commonjs',
  setup(build) {
    const cliui = createRequire(path.join(root, 'node_modules', 'yargs', 'package.json')).resolve('cliui');
    build.onResolve({ filter: /^cliui$/ }, () => ({ path: cliui }));
  },
};

// `kubectl failover version` reports the commit built and that commit's date (not the build's).
const [commit = 'unknown', commitDate = 'unknown'] = (() => { try { return execFileSync('git', ['log', '-1', '--format=%H %cI'], { cwd: root, encoding: 'utf8' }).trim().split(' '); } catch { return []; } })();

mkdirSync(dist, { recursive: true });
let started = Date.now();
await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Node 20's single-executable support runs a CommonJS main; ESM-only deps (ora) are bundled in.
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  define: { KF_BUILD_COMMIT: JSON.stringify(commit), KF_BUILD_COMMIT_DATE: JSON.stringify(commitDate) },
  logLevel: 'warning',
  plugins: [optionalModulesAbsent, cliuiCommonJs],
});
console.error(`bundle  ${path.relative(root, bundle)}  ${mb(bundle)}  ${Date.now() - started} ms`);

started = Date.now();
const seaConfig = path.join(dist, 'sea-config.json');
const blob = path.join(dist, 'sea-prep.blob');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(binary, { force: true });
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/postject/dist/cli.js'), binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
rmSync(blob);
rmSync(seaConfig);
console.error(`binary  ${path.relative(root, binary)}  ${mb(binary)}  ${Date.now() - started} ms`);
