/**
 * The stages of a failover, named as Stork's Action controller names them (pkg/apis/stork/v1alpha1
 * action.go), with `storkctl get failover`'s display names. Validations is Stork's initial stage ("").
 */
export const FAILOVER_STAGES = ['Validations', 'ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination', 'ScaleUpSource', 'Final'] as const;
export type FailoverStageName = (typeof FAILOVER_STAGES)[number];

export const STAGE_DISPLAY: Record<FailoverStageName, string> = {
  Validations: 'Validations',
  ScaleDownSource: 'Scale Down (on source)',
  WaitAfterScaleDown: 'Waiting for Apps to Scale Down (on source)',
  LastMileMigration: 'Last Mile Migration (from source -> destination)',
  ScaleUpDestination: 'Scale Up (on destination)',
  ScaleUpSource: 'Rolling Back Scale Down (on source)',
  Final: 'Completed',
};

/**
 * - Successful / Failed: the stage ran.
 * - Skipped: not needed (source unreachable with --skip-source-operations, --skip-last-mile, no rollback needed).
 * - Planned: a dry run showed what it would do.
 * - TimedOut: its wait ran past --timeout.
 * - NotStarted: an earlier stage stopped the run.
 */
export type StageStatus = 'Successful' | 'Failed' | 'Skipped' | 'Planned' | 'TimedOut' | 'NotStarted';

/** How the whole run ended, in Stork's words where Stork has them. */
export type FailoverOutcome = 'Successful' | 'Failed' | 'RollbackSuccessful' | 'RollbackFailed' | 'DryRun';
