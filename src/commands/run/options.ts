import type { GlobalOptions } from '../../cli/globalOptions';
import type { ReconcilerOptions } from '../../cli/reconcilerFlags';
import type { RunRequest } from '../../failover/journalModel';
import type { ClusterPairRef } from '../../stork/clusterPairConfig';

/** What `run` and `failback` were asked, after the flags were checked. */
export interface RunOptions {
  globals: GlobalOptions;
  runId: string;
  /** The source's kubeconfig context; '' with sourceFromClusterPair. */
  sourceContext: string;
  /**
   * --source-from-clusterpair: reach the source through the ClusterPair the schedules on the
   * destination name, with the credentials Stork stored in it, as Stork's controller does.
   */
  sourceFromClusterPair: boolean;
  /** The ClusterPair a resumed run's journal recorded: used as is, not chosen again. */
  sourceClusterPair?: ClusterPairRef | undefined;
  destinationContext: string;
  /** -m: the MigrationSchedule: its static copy on the destination (run), the reverse schedule on the source (failback); in -n. */
  schedule?: { name: string; namespace?: string; include: string[]; exclude: string[] } | undefined;
  sourceTimeoutMs: number;
  maxRpoMs?: number | undefined;
  force: boolean;
  skipSourceOperations: boolean;
  allowSplitBrain: boolean;
  skipLastMile: boolean;
  wait: boolean;
  /** Bounds each wait for workloads (scale-down, readiness) and for a running migration; not the last mile. */
  timeoutMs: number;
  /** --last-mile-timeout: bounds the last-mile Migration (undefined: no bound, as Stork). */
  lastMileTimeoutMs?: number | undefined;
  /** --on-last-mile-timeout: what becomes of a last-mile Migration cut short by its bound or ^C. */
  onLastMileTimeout: 'keep' | 'delete';
  concurrency: number;
  /** Where the journal goes (undefined: no journal, as for dry runs). */
  journalFile?: string | undefined;
  /** What was asked, recorded in the journal for --resume. */
  request: RunRequest;
  /** --resume: the run continued (its journal already holds the start). */
  resuming: boolean;
  /** --hold, --pause-reconcilers, --ignore-reconcilers. */
  reconcilers: ReconcilerOptions;
  /** failback: the reverse schedule, Stork's failback checks, a `…-lastmile-failback-…` Migration. */
  failback: boolean;
}
