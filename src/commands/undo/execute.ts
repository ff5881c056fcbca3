import type { GlobalOptions } from '../../cli/globalOptions';
import { UsageError } from '../../core/errors';
import type { ClusterSession, CommandDeps } from '../../core/command';
import type { CommandOutcome } from '../../core/report';
import { describeSource, summarizeJournal, type JournalEntry, type RunSummary, type UndoRecordObject } from '../../failover/journalModel';
import { clusterPairLabel } from '../../failover/sourceRoute';
import { openClusterPairSource } from '../../io/clusterPairSource';
import { holdAfterDestination, planRunUndo, writtenObjects, type RunUndoPlan, type UndoRead, type UndoStep, type WrittenObject } from '../../failover/undo';
import { predictResult, type ObjectResult } from '../../io/apply';
import { readWritten, writeUndoSteps } from '../../io/undoWrites';
import { Journal, journalPath, loadJournal } from '../../io/journal';
import type { KubeApi } from '../../kube/client';
import type { ApiResource } from '../../kube/resources';
import { renderUndoPlan } from '../../present/undoPlan';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';

export interface UndoOptions {
  globals: GlobalOptions;
  runId: string;
  journal?: string | undefined;
  concurrency: number;
  force: boolean;
}

export interface UndoOutcome extends CommandOutcome<ChangeReport> {
  results: ObjectResult[];
}

/** One cluster (and context) the run wrote on: its API, and the kinds discovered there. */
interface UndoCluster {
  key: string;
  cluster: 'source' | 'destination';
  api: KubeApi;
  resources: ReadonlyMap<string, ApiResource>;
}

/** One session per cluster and context: a source reached through a ClusterPair has no context (''). */
const groupKey = (object: WrittenObject): string => `${object.cluster}|${object.context}`;

/**
 * undo: puts both clusters back to the values the run's journal recorded before its writes, all or
 * nothing. The journal is read checked (a bad line: exit 1, naming it); every object the run wrote
 * is read on both clusters before anything is planned; the plan (planRunUndo) is printed on stderr;
 * an object changed since the run refuses the whole undo (exit 1) unless --force, which leaves it
 * but never leaves both clusters running an app. The destination goes first; a destination app that
 * could not be put down holds its source counterpart. The journal records the undo (Started, with
 * its plan, before the first write; then how it ended). A completed run is refused unless --force;
 * the last-mile Migration is named, not deleted. --dry-run: the same path, nothing written.
 */
export async function executeUndo(options: UndoOptions, deps: CommandDeps): Promise<UndoOutcome> {
  const { dryRun } = options.globals;
  const file = journalPath(deps.env, options.runId, options.journal);
  const journal = loadJournal(file, options.runId);
  const summary = summarizeJournal(options.runId, journal.entries);
  if (summary.outcome === 'Successful' && !options.force) {
    throw new UsageError(`run ${options.runId} completed: undoing it scales the destination down and the source up again, stranding whatever was written on the destination since; pass --force to undo it anyway (with --dry-run to see the plan first)`);
  }
  const warnings = [...journal.warnings, ...createdObjects(journal.entries, summary)];
  const written = writtenObjects(journal.entries, journal.lines);

  // Everything is read before anything is planned, let alone written.
  const clusters: UndoCluster[] = [];
  const reads: UndoRead[] = [];
  for (const key of [...new Set(written.map(groupKey))]) {
    const objects = written.filter((object) => groupKey(object) === key);
    const [first] = objects;
    if (!first) continue;
    const { api } = await sessionFor(first, summary, deps);
    const found = await readWritten(api, objects);
    clusters.push({ key, cluster: first.cluster, api, resources: found.resources });
    reads.push(...found.reads);
  }
  let plan = planRunUndo(reads, { force: options.force });
  deps.streams.stderr.write(renderUndoPlan(plan, options.runId, file, dryRun));
  // The namespaces the run wrote in: the undo's scope.
  const scope = [...new Set(written.map((object) => object.object.namespace ?? ''))].filter(Boolean).map((namespace) => ({ namespace, included: true, reason: 'written by the run', explicit: false }));
  const context = summary.request ? `${describeSource(summary.request, summary.sourceClusterPair)},${summary.request.destinationContext}` : '';
  const finish = (results: ObjectResult[], extra: readonly string[]): UndoOutcome => {
    const report = buildChangeReport({ verb: 'undo', context, dryRun, scope, results, warnings: [...extra, ...warnings] });
    return { report, verdict: changeVerdict(report), results };
  };

  if (plan.refusal) {
    const results = plan.steps.map((step): ObjectResult => (step.action === 'restore' ? { plan: step.plan, outcome: 'not-attempted', ...(step.plan.reason ? { message: step.plan.reason } : {}) } : predictResult(step.plan)));
    return { ...finish(results, [plan.refusal]), verdict: 'failed' };
  }

  // Written down before the first write, as run does: a crash leaves a record that an undo began.
  const record = dryRun === 'none' ? Journal.open(file) : undefined;
  const time = (): string => new Date(deps.clock.now()).toISOString();
  record?.append({ type: 'undo', runId: options.runId, time: time(), status: 'Started', forced: options.force, objects: recordedPlan(plan) });
  const done = new Map<UndoStep, ObjectResult>();
  try {
    for (const side of ['destination', 'source'] as const) {
      if (side === 'source') plan = holdAfterDestination(plan, plan.steps.flatMap((step) => (step.written.cluster === 'destination' ? [{ step, outcome: done.get(step)?.outcome ?? 'not-attempted', message: done.get(step)?.message }] : [])));
      for (const cluster of clusters.filter((entry) => entry.cluster === side)) {
        const steps = plan.steps.filter((step) => groupKey(step.written) === cluster.key);
        const results = await writeUndoSteps(cluster.api, cluster.resources, steps, { dryRun, concurrency: options.concurrency });
        steps.forEach((step, index) => {
          const result = results[index];
          if (result) done.set(step, result);
        });
      }
    }
  } catch (error) {
    record?.append({ type: 'undo', runId: options.runId, time: time(), status: 'Failed', forced: options.force });
    record?.close();
    throw error;
  }
  const results = plan.steps.map((step): ObjectResult => done.get(step) ?? { plan: step.plan, outcome: 'not-attempted', message: 'not sent' });
  const outcome = finish(results, plan.warnings);
  record?.append({ type: 'undo', runId: options.runId, time: time(), status: outcome.verdict === 'succeeded' ? 'Successful' : 'Failed', forced: options.force });
  record?.close();
  return outcome;
}

/** The plan as the journal records it: per object, what undo does and the run's lines it answers. */
function recordedPlan(plan: RunUndoPlan): UndoRecordObject[] {
  return plan.steps.flatMap((step) =>
    step.action === 'blocked' ? [] : [{ cluster: step.written.cluster, context: step.written.context, resourceKey: step.written.resourceKey, object: step.written.object, action: step.action, lines: step.written.lines }],
  );
}

/**
 * Where a journal's writes go back to: their context, or, for a source the run reached through a
 * ClusterPair (--source-from-clusterpair), that ClusterPair, read again on the destination and used
 * with Stork's stored credentials as the run was.
 */
async function sessionFor(object: WrittenObject, summary: RunSummary, deps: CommandDeps): Promise<ClusterSession> {
  const request = summary.request;
  if (object.cluster !== 'source' || !request?.sourceFromClusterPair) return deps.cluster(object.context);
  if (!summary.sourceClusterPair) throw new UsageError(`the journal of run ${summary.runId} records writes on the source but not the ClusterPair it reached the source through`);
  const destination = await deps.cluster(request.destinationContext);
  return (await openClusterPairSource(deps, destination.api, request.destinationContext, summary.sourceClusterPair)).session;
}

/** The objects a run created (its last-mile Migrations): undo leaves them and says so. */
function createdObjects(entries: readonly JournalEntry[], summary: RunSummary): string[] {
  const where = (context: string): string => (context === '' && summary.sourceClusterPair ? `on the source (through ${clusterPairLabel(summary.sourceClusterPair)})` : `on context ${context}`);
  return entries.flatMap((entry) => (entry.type === 'create' ? [`${entry.object.kind.toLowerCase()} ${entry.object.namespace ?? ''}/${entry.object.name} ${where(entry.context)} was created by the run and is left in place (delete it by hand if it is not wanted)`] : []));
}
