import { stageDisplay } from '../stork/action';

/**
 * The stages of a failover, named as Stork's Action controller names them (pkg/apis/stork/v1alpha1
 * action.go), with `storkctl get failover`'s display names. Validations is Stork's initial stage ("");
 * ScaleDownDestination appears only in a failback followed with `run --via-stork --failback`.
 */
export const FAILOVER_STAGES = ['Validations', 'ScaleDownSource', 'ScaleDownDestination', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination', 'ScaleUpSource', 'Final'] as const;
export type FailoverStageName = (typeof FAILOVER_STAGES)[number];

/** The value of status.stage a stage name stands for ('' for Validations). */
export function storkStage(name: FailoverStageName): string {
  return name === 'Validations' ? '' : name;
}

/** Our name of a status.stage value, or undefined for one this version does not know. */
export function stageName(stage: string): FailoverStageName | undefined {
  const name = stage === '' ? 'Validations' : stage;
  return FAILOVER_STAGES.find((candidate) => candidate === name);
}

/** A failover's display names (a failback's differ: see stork/action.ts stageDisplay). */
export const STAGE_DISPLAY = Object.fromEntries(FAILOVER_STAGES.map((name) => [name, stageDisplay(storkStage(name), 'failover')])) as Record<FailoverStageName, string>;

/**
 * - Successful / Failed: the stage ran.
 * - Skipped: not needed (source unreachable with --skip-source-operations, --skip-last-mile, no rollback needed).
 * - Planned: a dry run showed what it would do.
 * - TimedOut: its wait ran past --timeout (with --via-stork: following stopped there; the Action goes on).
 * - In-Progress: stopped by ^C or SIGTERM in this stage (--via-stork: following stopped while Stork's controller was in it).
 * - NotStarted: an earlier stage stopped the run (or it had not been reached yet).
 */
export type StageStatus = 'Successful' | 'Failed' | 'Skipped' | 'Planned' | 'TimedOut' | 'In-Progress' | 'NotStarted';

/**
 * How the whole run ended, in Stork's words where Stork has them. InProgress: --via-stork stopped
 * following (--timeout or ^C) before the Action reached its Final stage.
 */
export type FailoverOutcome = 'Successful' | 'Failed' | 'RollbackSuccessful' | 'RollbackFailed' | 'DryRun' | 'InProgress';
