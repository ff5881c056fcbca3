import packageJson from '../package.json';

export const VERSION: string = packageJson.version;

// Stamped by scripts/build.mjs (esbuild `define`) from `git log -1`: the commit built and that
// commit's date, never the build's, so building the same commit twice gives the same bundle.
// Absent when the sources run unbundled (tests, tsx).
declare const KF_BUILD_COMMIT: string | undefined;
declare const KF_BUILD_COMMIT_DATE: string | undefined;

export interface BuildInfo {
  version: string;
  gitCommit: string;
  gitCommitDate: string;
}

export const BUILD: BuildInfo = {
  version: VERSION,
  gitCommit: typeof KF_BUILD_COMMIT === 'string' ? KF_BUILD_COMMIT : 'unknown',
  gitCommitDate: typeof KF_BUILD_COMMIT_DATE === 'string' ? KF_BUILD_COMMIT_DATE : 'unknown',
};
