import type { CommandDeps } from '../../core/command';
import type { Phase } from '../../core/progress';
import type { ObjectResult } from '../../io/apply';
import type { KubeObject } from '../../kube/objects';
import type { ObjectPlan } from '../../plan/types';
import type { RunRecorder } from '../../failover/recorder';
import { stageReport, type StageReport } from '../../failover/report';
import { FAILOVER_STAGES, STAGE_DISPLAY, type FailoverStageName, type StageStatus } from '../../failover/stages';
import type { DryRunMode } from '../../core/dryRun';

/** How a stage ended: what the stages after it, and the rollback, decide on. */
export type StageResult =
  | { kind: 'ok'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'timed-out'; message: string }
  | { kind: 'interrupted'; message: string };

export type StageCluster = StageReport['cluster'];

const STATUS_OF: Record<StageResult['kind'], StageStatus> = { ok: 'Successful', failed: 'Failed', 'timed-out': 'TimedOut', interrupted: 'In-Progress' };

/**
 * A stage under way. Its one `end` writes the three records of a stage together: the progress
 * line, the stage's entry in the report, and its entry in the journal; so they cannot disagree.
 * Writes are journalled through `beforeSend`/`created` before they are sent.
 */
export interface StageHandle {
  readonly name: FailoverStageName;
  update(text: string): void;
  /** Journals a write before it is sent (ApplyOptions.beforeSend): resolves once the entry is on disk. */
  beforeSend(plan: ObjectPlan): Promise<void>;
  /** Journals a create before it is sent. */
  created(resourceKey: string, object: KubeObject): void;
  end(result: StageResult, fields?: { results?: readonly ObjectResult[]; dryRun?: DryRunMode; status?: StageStatus; quiet?: boolean }): StageResult;
}

export interface StageRunnerContexts {
  source: string;
  destination: string;
}

/** Runs a failover's stages in order and keeps what they did, for the report built at the end. */
export class StageRunner {
  readonly stages: StageReport[] = [];

  constructor(
    private readonly deps: CommandDeps,
    private readonly recorder: RunRecorder,
    private readonly contexts: StageRunnerContexts,
  ) {}

  get journalFile(): string | undefined {
    return this.recorder.file;
  }

  begin(name: FailoverStageName, cluster: StageCluster, text: string): StageHandle {
    const started = this.deps.clock.now();
    const display = STAGE_DISPLAY[name];
    const phase: Phase = this.deps.progress.start(`${display}: ${text}`);
    this.recorder.stage(name, 'Started');
    const journalCluster = cluster === 'destination' ? 'destination' : 'source';
    const context = journalCluster === 'destination' ? this.contexts.destination : this.contexts.source;
    let ended = false;
    return {
      name,
      update: (line) => phase.update(`${display}: ${line}`),
      beforeSend: (plan) => this.recorder.write(name, journalCluster, context, plan),
      created: (resourceKey, object) => this.recorder.create(name, journalCluster, context, resourceKey, object),
      end: (result, fields = {}) => {
        if (ended) throw new Error(`stage ${name} ended twice`);
        ended = true;
        const status = fields.status ?? STATUS_OF[result.kind];
        const seconds = ((this.deps.clock.now() - started) / 1000).toFixed(1);
        // quiet: an error the CLI prints once anyway (a usage error) needs no line of its own.
        if (fields.quiet) phase.clear();
        else if (result.kind === 'ok') phase.succeed(`${display} (${seconds}s): ${result.message}`);
        else phase.fail(`${display}: ${result.message}`);
        this.stages.push(stageReport(name, cluster, status, started, this.deps.clock.now(), { message: result.message, ...(fields.results ? { results: fields.results } : {}), ...(fields.dryRun ? { dryRun: fields.dryRun } : {}) }));
        if (status !== 'Planned') this.recorder.stage(name, status);
        return result;
      },
    };
  }

  /** A stage that does not run, with why; shown as a warning line when `loud`. */
  skip(name: FailoverStageName, cluster: StageCluster, message: string, loud = false): void {
    if (loud) this.deps.progress.start(STAGE_DISPLAY[name]).warn(`${STAGE_DISPLAY[name]}: skipped (${message})`);
    this.stages.push(stageReport(name, cluster, 'Skipped', this.deps.clock.now(), this.deps.clock.now(), { message }));
  }

  /** A stage a dry run planned (no journal: nothing is written). */
  planned(name: FailoverStageName, cluster: StageCluster, message: string, fields: { results?: readonly ObjectResult[]; dryRun?: DryRunMode; status?: StageStatus } = {}): void {
    const now = this.deps.clock.now();
    this.stages.push(stageReport(name, cluster, fields.status ?? 'Planned', now, now, { ...(message ? { message } : {}), ...(fields.results ? { results: fields.results } : {}), ...(fields.dryRun ? { dryRun: fields.dryRun } : {}) }));
  }

  has(name: FailoverStageName): boolean {
    return this.stages.some((stage) => stage.name === name);
  }

  /** The last stage that was cut short, else the last one that ran. */
  lastRan(): StageReport | undefined {
    return this.stages.find((stage) => stage.status === 'In-Progress') ?? [...this.stages].reverse().find((stage) => stage.status !== 'NotStarted' && stage.status !== 'Skipped');
  }

  /** Every stage has its line in the report, in Stork's order: those never reached are NotStarted. */
  complete(message?: string): StageReport[] {
    const now = this.deps.clock.now();
    // ScaleUpSource is the rollback: it has a line only when a rollback was needed or ruled out.
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination'] as const) {
      if (!this.has(name)) this.stages.push(stageReport(name, name === 'ScaleUpDestination' ? 'destination' : 'source', 'NotStarted', now, now, message ? { message } : {}));
    }
    return [...this.stages].sort((a, b) => FAILOVER_STAGES.indexOf(a.name) - FAILOVER_STAGES.indexOf(b.name));
  }
}
