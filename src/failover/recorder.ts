import type { Clock } from '../core/clock';
import type { Journal } from '../io/journal';
import type { KubeObject } from '../kube/objects';
import type { ObjectPlan } from '../plan/types';
import type { ClusterPairRef } from '../stork/clusterPairConfig';
import type { JournalEntry, RunRequest } from './journalModel';
import type { FailoverOutcome, FailoverStageName, StageStatus } from './stages';

/** Turns what `run` does into journal entries: stages as they start and end, each write before it is sent. */
export class RunRecorder {
  constructor(
    private readonly journal: Journal | undefined,
    private readonly runId: string,
    private readonly clock: Clock,
  ) {}

  get file(): string | undefined {
    return this.journal?.file;
  }

  private append(entry: JournalEntry): void {
    this.journal?.append(entry);
  }

  private time(): string {
    return new Date(this.clock.now()).toISOString();
  }

  start(request: RunRequest): void {
    this.append({ type: 'start', runId: this.runId, time: this.time(), request });
  }

  /** --source-from-clusterpair: which ClusterPair reaches the source, so --resume and undo reach it the same way. */
  source(clusterPair: ClusterPairRef): void {
    this.append({ type: 'source', runId: this.runId, time: this.time(), clusterPair });
  }

  stage(stage: FailoverStageName, status: StageStatus | 'Started'): void {
    this.append({ type: 'stage', runId: this.runId, time: this.time(), stage, status });
  }

  /**
   * Before a patch is sent: every field it changes, before and after, and the resourceVersion it
   * was planned on. Resolves once the entry is on disk (writes sent together share one flush).
   */
  async write(stage: FailoverStageName, cluster: 'source' | 'destination', context: string, plan: ObjectPlan): Promise<void> {
    const { apiVersion, kind, namespace, name } = plan.ref;
    await this.journal?.appendDurably({
      type: 'write',
      runId: this.runId,
      time: this.time(),
      stage,
      cluster,
      context,
      resourceKey: plan.resourceKey,
      object: { apiVersion, kind, ...(namespace ? { namespace } : {}), name },
      fields: plan.changes.map((change) => ({ path: [...change.path], before: change.from ?? null, after: change.to ?? null })),
      ...(plan.live.metadata.resourceVersion ? { resourceVersion: plan.live.metadata.resourceVersion } : {}),
    });
  }

  create(stage: FailoverStageName, cluster: 'source' | 'destination', context: string, resourceKey: string, object: KubeObject): void {
    const { namespace, name } = object.metadata;
    this.append({ type: 'create', runId: this.runId, time: this.time(), stage, cluster, context, resourceKey, object: { apiVersion: object.apiVersion, kind: object.kind, ...(namespace ? { namespace } : {}), name } });
  }

  end(outcome: FailoverOutcome | 'Interrupted'): void {
    this.append({ type: 'end', runId: this.runId, time: this.time(), outcome });
    this.journal?.close();
  }
}
