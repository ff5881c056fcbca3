import type { KubeObject } from '../kube/objects';
import { migratedNamespaces, type NamespaceInfo } from '../stork/migrationSchedule';

/** `-m NAME` with its namespace subset: what a verb scoped by a MigrationSchedule was asked for. */
export interface ScheduleReference {
  /** The MigrationSchedule's name; it lives in -n (else the context's namespace), as with storkctl. */
  name: string;
  /** --include-namespaces: only these of the schedule's namespaces. */
  include: readonly string[];
  /** --exclude-namespaces: the schedule's namespaces but these. */
  exclude: readonly string[];
}

/** One namespace the schedule migrates, in the command's scope or left out, and why. */
export interface ScheduledNamespace {
  namespace: string;
  included: boolean;
  reason: string;
}

export type ScheduleScope =
  | {
      ok: true;
      /** The namespaces to act on: in scope and present on this cluster, sorted. */
      names: string[];
      /** Every namespace the schedule migrates (and every one --include-namespaces named), in or out. */
      namespaces: ScheduledNamespace[];
      /** In scope but not on this cluster: left out, worth a warning. */
      missing: string[];
    }
  | { ok: false; problem: string };

/** "admin/daily": how a schedule is named in reasons and messages. */
export function scheduleName(schedule: KubeObject): string {
  return `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`;
}

/** The mutually exclusive pair, refused as storkctl perform refuses it (its own words). */
export function includeExcludeProblem(reference: Pick<ScheduleReference, 'include' | 'exclude'>): string | undefined {
  return reference.include.length > 0 && reference.exclude.length > 0 ? 'can provide only one of --include-namespaces or --exclude-namespaces values at once' : undefined;
}

/** storkctl perform's words for a list that is not a subset (Go prints a []string as [a b]). */
function notSubsetProblem(outside: readonly string[]): string {
  return `provided namespaces [${outside.join(' ')}] are not a subset of the namespaces being migrated by the given MigrationSchedule`;
}

/**
 * The namespaces `storkctl perform failover|failback` puts in its Action (validationsForPerformDRCommands,
 * steps 6 and 7): --include-namespaces as typed, or the schedule's namespaces (in its order) but
 * --exclude-namespaces, or all of them; each list a subset of the schedule's. Pure.
 */
export function performNamespaces(migrated: readonly string[], reference: Pick<ScheduleReference, 'include' | 'exclude'>): { ok: true; names: string[] } | { ok: false; problem: string } {
  const exclusive = includeExcludeProblem(reference);
  if (exclusive) return { ok: false, problem: exclusive };
  const given = reference.include.length > 0 ? reference.include : reference.exclude;
  const outside = given.filter((namespace) => !migrated.includes(namespace));
  if (outside.length > 0) return { ok: false, problem: notSubsetProblem(outside) };
  if (reference.include.length > 0) return { ok: true, names: [...reference.include] };
  return { ok: true, names: migrated.filter((namespace) => !reference.exclude.includes(namespace)) };
}

/**
 * The namespaces a command scoped by a MigrationSchedule covers: those it migrates
 * (spec.template.spec.namespaces plus the namespaces matching namespaceSelectors on this cluster),
 * or the --include-namespaces subset of them, or all but --exclude-namespaces. Each list must be a
 * subset of the schedule's namespaces (storkctl perform's rule and words). Namespaces not on this
 * cluster are left out and reported; nothing left to act on is a problem, not a quiet no-op. Pure.
 */
export function scheduleScope(schedule: KubeObject, clusterNamespaces: readonly NamespaceInfo[], reference: ScheduleReference): ScheduleScope {
  const exclusive = includeExcludeProblem(reference);
  if (exclusive) return { ok: false, problem: exclusive };
  const name = scheduleName(schedule);
  const migrated = [...migratedNamespaces(schedule, clusterNamespaces)].sort();
  const migratedSet = new Set(migrated);
  const given = reference.include.length > 0 ? reference.include : reference.exclude;
  const outside = [...new Set(given)].filter((namespace) => !migratedSet.has(namespace));
  if (outside.length > 0) {
    const migrates = migrated.length > 0 ? migrated.join(', ') : 'no namespace';
    return { ok: false, problem: `${notSubsetProblem(outside)} (migrationschedule ${name} migrates ${migrates})` };
  }
  const include = new Set(reference.include);
  const exclude = new Set(reference.exclude);
  const existing = new Set(clusterNamespaces.map((namespace) => namespace.name));
  const inScope = (namespace: string): boolean => (include.size > 0 ? include.has(namespace) : !exclude.has(namespace));
  const namespaces = migrated.map((namespace): ScheduledNamespace => {
    if (!inScope(namespace)) return { namespace, included: false, reason: include.size > 0 ? 'not in --include-namespaces' : 'left out by --exclude-namespaces' };
    if (!existing.has(namespace)) return { namespace, included: false, reason: 'not found on this cluster' };
    return { namespace, included: true, reason: `migrated by migrationschedule ${name}${include.size > 0 ? ' (--include-namespaces)' : ''}` };
  });
  const chosen = migrated.filter(inScope);
  const names = chosen.filter((namespace) => existing.has(namespace));
  const missing = chosen.filter((namespace) => !existing.has(namespace));
  if (names.length === 0) {
    if (migrated.length === 0) return { ok: false, problem: `migrationschedule ${name} migrates no namespace on this cluster (neither spec.template.spec.namespaces nor namespaceSelectors name one)` };
    if (chosen.length === 0) return { ok: false, problem: `--exclude-namespaces leaves no namespace of migrationschedule ${name} (it migrates ${migrated.join(', ')})` };
    return { ok: false, problem: `none of the namespaces migrationschedule ${name} migrates (${chosen.join(', ')}) exists on this cluster` };
  }
  return { ok: true, names, namespaces, missing };
}
