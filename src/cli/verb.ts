import type { Argv } from 'yargs';
import type { CommandDeps } from '../core/command';
import type { CommandOutcome } from '../core/report';
import type { Palette } from '../present/colors';
import type { GlobalFlags, GlobalOptions } from './globalOptions';

/** What a verb's table view gets besides its report. */
export interface TableView {
  colors: Palette;
  verbose: boolean;
}

export type AnyOutcome = CommandOutcome<object>;

/**
 * One run of a verb: its validated options are bound; what is left is the work and its table.
 * The outcome may carry more than the report (the objects a dry run diffs); `-o json|yaml` prints
 * the report alone.
 */
export interface VerbJob<O extends AnyOutcome> {
  globals: GlobalOptions;
  execute(deps: CommandDeps): Promise<O>;
  renderTable(outcome: O, view: TableView): string | Promise<string>;
  /**
   * -w/--watch (cli/watch.ts): run again and again until ^C, printing each report that differs
   * from the last one printed by this key (leave out what changes by itself, such as ages).
   */
  watch?: { changeKey(outcome: O): string };
}

/** What a verb that needs no cluster (version, completion) may know of its surroundings. */
export interface LocalContext {
  env: NodeJS.ProcessEnv;
  /** The path the plugin was started by (kubectl's, or a shell's): where `completion install` puts its shim. */
  program: string;
}

/** A job that talks to no cluster: no kubeconfig is read, no client is loaded. Printed like any other. */
export interface LocalJob<O extends AnyOutcome> {
  globals: GlobalOptions;
  executeLocally(context: LocalContext): Promise<O>;
  renderTable(outcome: O, view: TableView): string | Promise<string>;
}

/** Runs a job (with live dependencies, unless it is local): prints the report, records the exit code. Given to each verb by the CLI. */
export type VerbRunner = <O extends AnyOutcome>(job: VerbJob<O> | LocalJob<O>) => Promise<void>;

/**
 * A verb registers itself on the parser: its yargs builder types its own flags, its handler turns
 * them into typed options (validated; bad values are usage errors) and hands a job to the runner.
 */
export interface VerbModule {
  register(parser: Argv<GlobalFlags>, run: VerbRunner): Argv<GlobalFlags>;
}
