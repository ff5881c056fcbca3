import type { CommandContext } from '../../cli/context';
import { UsageError } from '../../cli/errors';
import { ExitCode } from '../../cli/exitCodes';
import type { GlobalOptions } from '../../cli/globalOptions';
import { collectSnapshot, type NamespaceSelection } from '../../io/collect';
import { crossClusterWarnings, namespaceStatuses, type NamespaceStatus } from '../../plan/statusModel';
import type { KubeClient } from '../../kube/client';
import { discoverKinds, kindKey } from '../../kube/discovery';
import { ConnectionError, isForbidden } from '../../kube/errors';
import { getPath } from '../../kube/jsonPath';
import { listAll } from '../../kube/list';
import { serialize } from '../../present/serialize';
import { renderStatus } from '../../present/statusTable';
import { StorkKinds } from '../../stork/kinds';
import { palette } from '../../present/colors';

export interface StatusOptions extends GlobalOptions {
  sourceContext?: string;
  destinationContext?: string;
  staleFactor: number;
}

const HPA = { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', versions: ['v1'] };

async function readCluster(client: KubeClient, contextName: string, selection: NamespaceSelection, options: StatusOptions, now: number): Promise<NamespaceStatus[]> {
  const snapshot = await collectSnapshot(client, { namespaces: selection, labelSelector: options.selector });
  const extra = await discoverKinds(client, [StorkKinds.schedulePolicy, HPA]);
  const policyResource = extra.get(kindKey(StorkKinds.schedulePolicy.group, StorkKinds.schedulePolicy.kind));
  const hpaResource = extra.get(kindKey(HPA.group, HPA.kind));
  const tolerate = (error: unknown): [] => {
    if (isForbidden(error)) return [];
    throw error;
  };
  const [policies, hpas] = await Promise.all([
    policyResource ? listAll(client, policyResource).catch(tolerate) : Promise.resolve([]),
    hpaResource
      ? selection.all
        ? listAll(client, hpaResource).catch(tolerate)
        : Promise.all(selection.names.map((namespace) => listAll(client, hpaResource, { namespace }).catch(tolerate))).then((lists) => lists.flat())
      : Promise.resolve([]),
  ]);
  const policyIntervals = new Map<string, number>();
  for (const policy of policies) {
    const minutes = getPath(policy, ['policy', 'interval', 'intervalMinutes']);
    if (typeof minutes === 'number') policyIntervals.set(policy.metadata.name, minutes);
  }
  const autoscaled = new Set<string>();
  for (const hpa of hpas) {
    const kind = getPath(hpa, ['spec', 'scaleTargetRef', 'kind']);
    const name = getPath(hpa, ['spec', 'scaleTargetRef', 'name']);
    if (typeof kind === 'string' && typeof name === 'string') autoscaled.add(`${hpa.metadata.namespace}/${kind}/${name}`);
  }
  // With -A only namespaces that hold workloads or are migrated by a schedule are worth a row.
  const namespaces = selection.all
    ? snapshot.namespaces.filter(
        (namespace) =>
          snapshot.workloads.some(({ object }) => object.metadata.namespace === namespace.name) ||
          snapshot.schedules.some((schedule) => schedule.metadata.namespace === namespace.name),
      )
    : snapshot.namespaces;
  return namespaceStatuses({ cluster: contextName, workloads: snapshot.workloads, schedules: snapshot.schedules, namespaces, policyIntervals, autoscaled, staleFactor: options.staleFactor, now });
}

/** A cluster of the pair that did not answer: the other one is still reported. */
export interface UnreachableCluster {
  cluster: string;
  error: string;
}

/**
 * status: read-only, on one cluster or on both (--source-context / --destination-context). In a
 * disaster the source is often down: with both contexts, a cluster that cannot be reached is
 * reported as such next to the other's full status (exit 1), rather than hiding it.
 */
export async function runStatus(options: StatusOptions, context: CommandContext): Promise<ExitCode> {
  if (options.dryRun !== 'none') throw new UsageError('status is read-only: --dry-run does not apply to it');
  const contexts = options.sourceContext || options.destinationContext ? [options.sourceContext, options.destinationContext].filter((name): name is string => Boolean(name)) : [undefined];
  const now = context.clock.now();
  const unreachable: UnreachableCluster[] = [];
  const perCluster = await Promise.all(
    contexts.map(async (name): Promise<NamespaceStatus[] | undefined> => {
      const { client, context: kube } = await context.cluster(name);
      const selection: NamespaceSelection = options.allNamespaces ? { all: true } : { all: false, names: [options.namespace || kube.namespace] };
      try {
        return await readCluster(client, kube.contextName, selection, options, now);
      } catch (error) {
        if (!(error instanceof ConnectionError) || contexts.length < 2) throw error;
        unreachable.push({ cluster: kube.contextName, error: error.message });
        return undefined;
      }
    }),
  );
  if (perCluster.length === 2 && perCluster[0] && perCluster[1]) crossClusterWarnings(perCluster[0], perCluster[1]);
  const namespaces = perCluster.flatMap((statuses) => statuses ?? []);
  const report = { kind: 'StatusReport', namespaces, ...(unreachable.length > 0 ? { unreachable } : {}) };
  const colors = palette(context.color);
  if (options.output === 'table') {
    const lines = unreachable.map((entry) => colors.red(`${entry.cluster}: unreachable: ${entry.error}`));
    context.streams.stdout.write(`${lines.map((line) => `${line}\n\n`).join('')}${renderStatus(namespaces, colors)}`);
  } else {
    context.streams.stdout.write(await serialize(report, options.output));
  }
  return unreachable.length > 0 ? ExitCode.OperationFailed : ExitCode.Success;
}
