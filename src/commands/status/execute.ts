import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { InterruptedError, abortable } from '../../core/interrupt';
import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import { collectSnapshot } from '../../io/collect';
import { scanReconcilers } from '../../io/reconcilers';
import type { KubeApi } from '../../kube/client';
import { discoverKinds, kindKey } from '../../kube/discovery';
import { getPath } from '../../kube/jsonPath';
import { listAllowed } from '../../kube/list';
import { crossClusterWarnings, namespaceStatuses, type NamespaceStatus } from '../../plan/statusModel';
import type { NamespaceSelection } from '../../plan/types';
import { ACTION_KEY, StorkKinds } from '../../stork/kinds';
import type { KubeObject } from '../../kube/objects';
import type { ApiResource } from '../../kube/resources';
import { readScheduleScope, selectionFor } from '../shared';
import type { ScheduleReference } from '../../plan/scheduleScope';

export interface StatusOptions {
  globals: GlobalOptions;
  /** Source and/or destination contexts; empty: the --context cluster alone. */
  contexts: string[];
  staleFactor: number;
  /** --source-context, to tell which cluster of the pair a finding comes from (a lone --context counts as the destination). */
  sourceContext?: string | undefined;
  /** -m: the namespaces this MigrationSchedule migrates (resolved on each cluster: its selectors match there). */
  schedule?: ScheduleReference | undefined;
}

/** A cluster of the pair that did not answer: the other one is still reported. */
export interface UnreachableCluster {
  cluster: string;
  error: string;
}

export interface StatusReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'StatusReport';
  namespaces: NamespaceStatus[];
  unreachable?: UnreachableCluster[];
  /** Printed on stderr too: namespaces of the -m schedule that a cluster does not have. */
  warnings?: string[];
}

/** Read-only: an interrupt leaves nothing to report. */
const STATUS_INTERRUPTED = 'interrupted; status changes nothing';

async function readCluster(api: KubeApi, contextName: string, selection: NamespaceSelection, options: StatusOptions, now: number): Promise<NamespaceStatus[]> {
  const snapshot = await collectSnapshot(api, { namespaces: selection, labelSelector: options.globals.selector });
  const extra = await discoverKinds(api, [StorkKinds.schedulePolicy, StorkKinds.action]);
  const policyResource = extra.get(kindKey(StorkKinds.schedulePolicy.group, StorkKinds.schedulePolicy.kind));
  const actionResource = extra.get(ACTION_KEY);
  const ignore = (): void => undefined;
  const inSelection = (resource: ApiResource): Promise<KubeObject[]> =>
    selection.all ? listAllowed(api, resource, {}, ignore) : Promise.all(selection.names.map((namespace) => listAllowed(api, resource, { namespace }, ignore))).then((lists) => lists.flat());
  const [policies, actions, reconcilers] = await Promise.all([
    policyResource ? listAllowed(api, policyResource, {}, ignore) : Promise.resolve([]),
    // Stork 24+: the failover and failback Actions of these namespaces (none before).
    actionResource ? inSelection(actionResource) : Promise.resolve([]),
    // Argo CD, Flux, KEDA, HPAs, operators: who would scale these workloads back (warnings only: status changes nothing).
    scanReconcilers(api, snapshot.workloads, { cluster: contextName === options.sourceContext ? 'source' : 'destination' }),
  ]);
  const policyIntervals = new Map<string, number>();
  for (const policy of policies) {
    const minutes = getPath(policy, ['policy', 'interval', 'intervalMinutes']);
    if (typeof minutes === 'number') policyIntervals.set(policy.metadata.name, minutes);
  }
  // With -A only namespaces that hold workloads or are migrated by a schedule are worth a row.
  const namespaces = selection.all
    ? snapshot.namespaces.filter(
        (namespace) =>
          snapshot.workloads.some(({ object }) => object.metadata.namespace === namespace.name) ||
          snapshot.schedules.some((schedule) => schedule.metadata.namespace === namespace.name),
      )
    : snapshot.namespaces;
  return namespaceStatuses({ cluster: contextName, workloads: snapshot.workloads, schedules: snapshot.schedules, namespaces, policyIntervals, findings: reconcilers.findings, staleFactor: options.staleFactor, now, actions });
}

/**
 * status: read-only, on one cluster or on both. In a disaster the source is often down or behind
 * a failing load balancer: with both contexts, a cluster that does not answer usably (connection
 * error, any HTTP error, not Kubernetes) is reported as unreachable next to the other's full
 * status (exit 1), rather than hiding it. Configuration errors (an unknown context) still stop it.
 */
export async function executeStatus(options: StatusOptions, deps: CommandDeps): Promise<CommandOutcome<StatusReport>> {
  const contexts: Array<string | undefined> = options.contexts.length > 0 ? options.contexts : [undefined];
  const now = deps.clock.now();
  const unreachable: UnreachableCluster[] = [];
  const warnings: string[] = [];
  const perCluster = await Promise.all(
    contexts.map(async (name): Promise<NamespaceStatus[] | undefined> => {
      const { api, kubeContext } = await deps.cluster(name);
      try {
        // Read-only: ^C simply stops it, nothing to report.
        const scoped = options.schedule ? await abortable(deps.signal, readScheduleScope(api, kubeContext, options.globals, options.schedule, deps), STATUS_INTERRUPTED) : undefined;
        warnings.push(...(scoped?.warnings ?? []));
        const selection = scoped?.selection ?? selectionFor(options.globals, kubeContext);
        return await abortable(deps.signal, readCluster(api, kubeContext.contextName, selection, options, now), STATUS_INTERRUPTED);
      } catch (error) {
        if (error instanceof UsageError || error instanceof InterruptedError || contexts.length < 2) throw error;
        unreachable.push({ cluster: kubeContext.contextName, error: oneLine(error) });
        return undefined;
      }
    }),
  );
  if (perCluster.length === 2 && perCluster[0] && perCluster[1]) crossClusterWarnings(perCluster[0], perCluster[1]);
  const report: StatusReport = { apiVersion: REPORT_API_VERSION, kind: 'StatusReport', namespaces: perCluster.flatMap((statuses) => statuses ?? []) };
  if (unreachable.length > 0) report.unreachable = unreachable;
  if (warnings.length > 0) report.warnings = warnings;
  return { report, verdict: unreachable.length > 0 ? 'failed' : 'succeeded' };
}
