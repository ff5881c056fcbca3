export const DRY_RUN_MODES = ['none', 'client', 'server'] as const;
export type DryRunMode = (typeof DRY_RUN_MODES)[number];

/** How a dry run is named in summaries: "would change (dry run: server)". */
export function dryRunSuffix(mode: DryRunMode): string {
  return mode === 'none' ? '' : ` (dry run: ${mode})`;
}

/** The label of a dry-run diff's "after" side. */
export function dryRunDiffLabel(mode: Exclude<DryRunMode, 'none'>): string {
  return mode === 'server' ? 'server dry run' : 'planned';
}
