import type { CommandDeps } from '../../core/command';
import type { ObjectResult } from '../../io/apply';
import type { FailoverReport } from '../../failover/report';
import type { FailoverStageName } from '../../failover/stages';
import type { RunOptions } from './options';
import type { StageRunner } from './stageRunner';

/** What a dry run's stage would write, and where: its diffs are headed by cluster. */
export interface StageWrites {
  stage: FailoverStageName;
  /** The context (or ClusterPair) written to. */
  cluster: string;
  results: ObjectResult[];
}

/** What every stage of a run shares. */
export interface RunContext {
  options: RunOptions;
  deps: CommandDeps;
  runner: StageRunner;
  report: FailoverReport;
  /**
   * A dry run's planned writes, for its diffs. A real run keeps none here: holding every object it
   * wrote (and the server's answer) to the end would double what a run at scale keeps in memory,
   * and the report's rows say what was done.
   */
  writes: StageWrites[];
}

export function seconds(started: number, deps: CommandDeps): string {
  return `${((deps.clock.now() - started) / 1000).toFixed(1)}s`;
}

/** "ns/statefulset/zk" */
export function objectName(ref: { namespace?: string | undefined; kind: string; name: string }): string {
  return `${ref.namespace ? `${ref.namespace}/` : ''}${ref.kind.toLowerCase()}/${ref.name}`;
}
