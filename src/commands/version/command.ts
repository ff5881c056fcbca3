import { globalOptionsFrom } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import { renderVersion } from '../../present/versionTable';
import { BUILD } from '../../version';
import { executeVersion } from './execute';

/** This build, on this Node.js. */
export const versionOutcome = () => executeVersion(BUILD, { nodeVersion: process.version, platform: process.platform, arch: process.arch });

export const versionVerb: VerbModule = {
  register: (parser, run) =>
    parser.command(
      'version',
      'Print the version, the git commit it was built from and its date, and the Node.js and platform it runs on',
      (yargs) => yargs.example('$0 version -o json', `{apiVersion, kind: Version, version, gitCommit, gitCommitDate, nodeVersion, platform}`),
      async (flags) => {
        const globals = globalOptionsFrom(flags);
        await run({ globals, executeLocally: async () => versionOutcome(), renderTable: (outcome) => renderVersion(outcome.report) });
      },
    ),
};
