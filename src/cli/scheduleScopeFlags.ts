import type { Argv } from 'yargs';
import { UsageError } from '../core/errors';
import { includeExcludeProblem, type ScheduleReference } from '../plan/scheduleScope';
import { lastWins, nonEmpty, parseNamespaceList } from './flags';
import type { GlobalOptions } from './globalOptions';

/** Repeated list flags add up; yargs gives one string or an array of them. */
function allValues(value: string | string[]): string[] {
  return Array.isArray(value) ? value.map(String) : [value];
}

/**
 * `-m/--migration-schedule NAME` (storkctl's `--migration-reference`) and `--include-namespaces` /
 * `--exclude-namespaces`. Verbs that act per namespace take the namespaces from the schedule;
 * suspend/resume take -m as a schedule name and refuse the subsets (hidden there).
 */
export function withScheduleScopeFlags<T>(yargs: Argv<T>, migrationScheduleHelp: string, options: { namespaceSubsets: boolean }) {
  const hidden = !options.namespaceSubsets;
  return yargs
    .option('migration-schedule', { alias: 'm', requiresArg: true, type: 'string', coerce: lastWins, describe: migrationScheduleHelp })
    // storkctl's name, accepted for muscle memory; hidden so the help's flag column stays narrow.
    .option('migration-reference', { requiresArg: true, type: 'string', coerce: lastWins, hidden: true, describe: 'storkctl\'s name for --migration-schedule' })
    .option('include-namespaces', { requiresArg: true, type: 'string', coerce: allValues, hidden, describe: 'With -m: only these of its namespaces (comma-separated)' })
    .option('exclude-namespaces', { requiresArg: true, type: 'string', coerce: allValues, hidden, describe: 'With -m: all of its namespaces but these (comma-separated)' });
}

export interface ScheduleScopeFlags {
  'migration-schedule'?: string | undefined;
  'migration-reference'?: string | undefined;
  'include-namespaces'?: string[] | undefined;
  'exclude-namespaces'?: string[] | undefined;
}

/** The validated schedule reference of a per-namespace verb, or undefined without -m. */
export function scheduleReferenceFrom(flags: ScheduleScopeFlags, globals: GlobalOptions): ScheduleReference | undefined {
  const name = migrationScheduleName(flags);
  const include = parseNamespaceList('--include-namespaces', flags['include-namespaces']);
  const exclude = parseNamespaceList('--exclude-namespaces', flags['exclude-namespaces']);
  if (name === undefined) {
    const given = include.length > 0 ? '--include-namespaces' : exclude.length > 0 ? '--exclude-namespaces' : undefined;
    if (given) throw new UsageError(`${given} needs -m/--migration-schedule: it chooses among the namespaces of a MigrationSchedule`);
    return undefined;
  }
  if (globals.allNamespaces) throw new UsageError('-m/--migration-schedule and -A/--all-namespaces cannot be combined: the schedule names the namespaces');
  const exclusive = includeExcludeProblem({ include, exclude });
  if (exclusive) throw new UsageError(exclusive);
  return { name, include, exclude };
}

/** suspend/resume: `-m NAME` names a schedule like an argument; a schedule is suspended whole, so no subset. */
export function scheduleNameFrom(flags: ScheduleScopeFlags, verb: 'suspend' | 'resume'): string | undefined {
  for (const flag of ['include-namespaces', 'exclude-namespaces'] as const) {
    if (flags[flag] !== undefined) throw new UsageError(`--${flag} does not apply to ${verb}: a MigrationSchedule is ${verb === 'suspend' ? 'suspended' : 'resumed'} as a whole`);
  }
  return migrationScheduleName(flags);
}

function migrationScheduleName(flags: ScheduleScopeFlags): string | undefined {
  const schedule = nonEmpty('--migration-schedule', flags['migration-schedule']);
  const reference = nonEmpty('--migration-reference', flags['migration-reference']);
  if (schedule !== undefined && reference !== undefined && schedule !== reference) {
    throw new UsageError(`-m/--migration-schedule "${schedule}" and --migration-reference "${reference}" name two schedules: give one`);
  }
  return schedule ?? reference;
}
