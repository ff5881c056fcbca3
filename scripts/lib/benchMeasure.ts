// What `npm run bench` measures a command with, and the pure arithmetic and layout of its tables.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

/** One run of one command: wall time, CPU time, peak resident memory, and API requests by verb. */
export interface Sample {
  seconds: number;
  /** User + system CPU seconds of the command itself: unlike wall time, hardly moved by other load on a shared machine. */
  cpuSeconds: number;
  peakMb: number;
  requests: Record<string, number>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Runs a command under /usr/bin/time for CPU time and peak RSS; returns wall seconds, CPU seconds and peak MB. */
export function timed(command: string, commandArgs: string[], env: NodeJS.ProcessEnv): { seconds: number; cpuSeconds: number; peakMb: number } {
  const started = process.hrtime.bigint();
  // stdout (the report) is not needed, and at 2000 objects it outgrows spawnSync's buffer.
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...commandArgs], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw new Error(`cannot run /usr/bin/time (Debian package "time"): ${result.error.message}`);
  // Every measured run must succeed in full: a partial failure would be measuring something else.
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`);
  const [user, system, peakKb] = (result.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { seconds, cpuSeconds: (user ?? NaN) + (system ?? NaN), peakMb: (peakKb ?? NaN) / 1024 };
}

/**
 * Runs the plugin with KUBECTL_FAILOVER_REQUEST_STATS, which appends one line of request counts per
 * cluster it talked to: the last line (`allContexts: false`, one cluster) or their sum.
 */
export function pluginSample(binary: string, pluginArgs: string[], env: NodeJS.ProcessEnv, statsFile: string, allContexts: boolean): Sample {
  rmSync(statsFile, { force: true });
  const measured = timed(binary, pluginArgs, { ...env, KUBECTL_FAILOVER_REQUEST_STATS: statsFile });
  const lines = readFileSync(statsFile, 'utf8').trim().split('\n').map((text) => (JSON.parse(text) as { requests?: Record<string, number> }).requests ?? {});
  return { ...measured, requests: addRequests(allContexts ? lines : lines.slice(-1)) };
}

export function addRequests(counts: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const entry of counts) {
    for (const [verb, count] of Object.entries(entry)) sum[verb] = (sum[verb] ?? 0) + count;
  }
  return sum;
}

export function totalRequests(requests: Readonly<Record<string, number>>): number {
  return Object.values(requests).reduce((sum, count) => sum + count, 0);
}

/** "2013 (discovery 5, list 8, patch 2000)" */
export function requestText(requests: Readonly<Record<string, number>>): string {
  const total = totalRequests(requests);
  return total ? `${total} (${Object.entries(requests).map(([verb, count]) => `${verb} ${count}`).join(', ')})` : '';
}

/** A Markdown table, columns padded to their widest cell. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const lines = table.map((row) => `| ${header.map((_, column) => (row[column] ?? '').padEnd(widths[column] ?? 0)).join(' | ')} |`);
  lines.splice(1, 0, `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  return lines.join('\n');
}

/** One round of the failover comparison: the two verbs one after the other, and `run`, each from the seeded state. */
export interface FailoverRound {
  deactivate: Sample;
  activate: Sample;
  run: Sample;
}

export interface FailoverRow {
  name: string;
  /** Median over the rounds (the pair: of each round's two times added). */
  seconds: number;
  /** Median CPU seconds of the command over the rounds (the pair: its two added). */
  cpuSeconds: number;
  runs: number;
  /** The counts of the last round (they do not change between rounds of one seed). */
  requests: Record<string, number>;
  /** Largest over the rounds (the pair: the larger of its two processes). */
  peakMb: number;
}

export interface FailoverComparison {
  rows: FailoverRow[];
  /** run's median time over the pair's. */
  timeRatio: number;
  /** run's CPU time over the pair's. */
  cpuRatio: number;
  /** run's peak memory over the larger of the two verbs'. */
  memoryRatio: number;
  /** run's requests over the pair's. */
  requestRatio: number;
}

export const PAIR_CASE = 'deactivate -A (source), then activate -A (destination)';
export const FAILOVER_RUN_CASE = 'run -A --wait=false --skip-last-mile';

/**
 * `run` against the two verbs it stands for, from rounds that each started from the seeded state.
 * The pair's time is per round (its two runs added), so its median is of what one operator doing it
 * by hand would wait; its peak is the larger process, as the two never run at once. Pure.
 */
export function compareFailover(rounds: readonly FailoverRound[]): FailoverComparison {
  const last = rounds[rounds.length - 1];
  if (!last) throw new Error('no rounds measured');
  const row = (name: string, samples: readonly Sample[], requests: Record<string, number>): FailoverRow => ({
    name,
    seconds: median(samples.map((sample) => sample.seconds)),
    cpuSeconds: median(samples.map((sample) => sample.cpuSeconds)),
    runs: samples.length,
    requests,
    peakMb: Math.max(...samples.map((sample) => sample.peakMb)),
  });
  const deactivate = row('deactivate -A (source)', rounds.map((round) => round.deactivate), last.deactivate.requests);
  const activate = row('activate -A (destination)', rounds.map((round) => round.activate), last.activate.requests);
  const pair: FailoverRow = {
    name: PAIR_CASE,
    seconds: median(rounds.map((round) => round.deactivate.seconds + round.activate.seconds)),
    cpuSeconds: median(rounds.map((round) => round.deactivate.cpuSeconds + round.activate.cpuSeconds)),
    runs: rounds.length,
    requests: addRequests([last.deactivate.requests, last.activate.requests]),
    peakMb: Math.max(deactivate.peakMb, activate.peakMb),
  };
  const run = row(FAILOVER_RUN_CASE, rounds.map((round) => round.run), last.run.requests);
  return {
    rows: [deactivate, activate, pair, run],
    timeRatio: run.seconds / pair.seconds,
    cpuRatio: run.cpuSeconds / pair.cpuSeconds,
    memoryRatio: run.peakMb / pair.peakMb,
    requestRatio: totalRequests(run.requests) / totalRequests(pair.requests),
  };
}
