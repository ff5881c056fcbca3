import type { CommandDeps } from '../../core/command';
import type { ObjectResult } from '../../io/apply';
import type { FailoverReport } from '../../failover/report';
import type { FailoverStageName } from '../../failover/stages';
import type { RunOptions } from './options';
import type { StageRunner } from './stageRunner';

/** What a stage's results were written to, for the dry-run diffs (headed by cluster) and the rollback. */
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
  writes: StageWrites[];
}

export function seconds(started: number, deps: CommandDeps): string {
  return `${((deps.clock.now() - started) / 1000).toFixed(1)}s`;
}

/** "ns/statefulset/zk" */
export function objectName(ref: { namespace?: string | undefined; kind: string; name: string }): string {
  return `${ref.namespace ? `${ref.namespace}/` : ''}${ref.kind.toLowerCase()}/${ref.name}`;
}
