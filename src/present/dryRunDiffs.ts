import { dryRunDiffLabel, type DryRunMode } from '../core/dryRun';
import type { ObjectResult } from '../io/apply';
import { applyChanges } from '../plan/jsonPatch';
import type { Palette } from './colors';
import { objectDiff } from './objectDiff';

/**
 * The unified diffs a dry run prints, one per object it would change: against what the server
 * answered (server), or against the plan applied locally (client). Empty for a real run.
 */
export async function renderDryRunDiffs(results: readonly ObjectResult[], dryRun: DryRunMode, colors: Palette, cluster?: string): Promise<string> {
  if (dryRun === 'none') return '';
  const label = dryRunDiffLabel(dryRun);
  const diffs: string[] = [];
  for (const result of results) {
    if (result.outcome !== 'changed') continue;
    const { plan } = result;
    if (plan.operation === 'delete') {
      diffs.push(await objectDiff(plan.live, undefined, label, colors, cluster));
      continue;
    }
    const planned = plan.operation === 'create' ? plan.live : applyChanges(plan.live, plan.changes);
    const after = result.after ?? (dryRun === 'client' ? planned : undefined);
    if (after) diffs.push(await objectDiff(plan.operation === 'create' ? undefined : plan.live, after, label, colors, cluster));
  }
  return diffs.join('');
}

/** A run's diffs, stage by stage, each headed by the cluster it belongs to. */
export async function renderStageDiffs(groups: ReadonlyArray<{ cluster: string; results: readonly ObjectResult[] }>, dryRun: DryRunMode, colors: Palette): Promise<string> {
  const parts = await Promise.all(groups.map((group) => renderDryRunDiffs(group.results, dryRun, colors, group.cluster)));
  return parts.join('');
}
