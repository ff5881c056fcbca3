import type { Palette } from './colors';
import { terminalSafe } from './terminalText';

type Edit = { type: 'same' | 'add' | 'remove'; line: string };

/** Line edits turning `before` into `after`, by longest common subsequence (objects are small). */
export function diffLines(before: readonly string[], after: readonly string[]): Edit[] {
  const rows = before.length;
  const cols = after.length;
  const lcs: number[][] = Array.from({ length: rows + 1 }, () => new Array<number>(cols + 1).fill(0));
  for (let i = rows - 1; i >= 0; i--) {
    const row = lcs[i] as number[];
    const below = lcs[i + 1] as number[];
    for (let j = cols - 1; j >= 0; j--) {
      row[j] = before[i] === after[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < rows && j < cols) {
    if (before[i] === after[j]) {
      edits.push({ type: 'same', line: before[i++] as string });
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      edits.push({ type: 'remove', line: before[i++] as string });
    } else {
      edits.push({ type: 'add', line: after[j++] as string });
    }
  }
  while (i < rows) edits.push({ type: 'remove', line: before[i++] as string });
  while (j < cols) edits.push({ type: 'add', line: after[j++] as string });
  return edits;
}

/**
 * A unified diff (like `kubectl diff`) of two texts, with `context` unchanged lines around each
 * change. Returns '' when they are equal.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, colors: Palette, context = 3): string {
  const edits = diffLines(before.split('\n'), after.split('\n'));
  if (edits.every((edit) => edit.type === 'same')) return '';
  const out: string[] = [colors.bold(`--- ${labels.from}`), colors.bold(`+++ ${labels.to}`)];
  const changed = edits.map((edit) => edit.type !== 'same');
  let index = 0;
  let oldLine = 1;
  let newLine = 1;
  while (index < edits.length) {
    const nextChange = changed.indexOf(true, index);
    if (nextChange === -1) break;
    const start = Math.max(index, nextChange - context);
    for (let k = index; k < start; k++) {
      oldLine++;
      newLine++;
    }
    let end = nextChange;
    // Extend the hunk while the next change is within 2×context lines.
    for (;;) {
      let k = end;
      while (k < edits.length && changed[k]) k++;
      const following = changed.indexOf(true, k);
      if (following !== -1 && following - k <= context * 2) end = following;
      else {
        end = Math.min(edits.length, k + context);
        break;
      }
    }
    const hunk = edits.slice(start, end);
    const oldCount = hunk.filter((edit) => edit.type !== 'add').length;
    const newCount = hunk.filter((edit) => edit.type !== 'remove').length;
    out.push(colors.cyan(`@@ -${oldLine},${oldCount} +${newLine},${newCount} @@`));
    for (const edit of hunk) {
      // The YAML quotes control characters itself; escaping again keeps any that slip through from reaching the terminal.
      const line = terminalSafe(edit.line);
      if (edit.type === 'same') out.push(` ${line}`);
      else if (edit.type === 'add') out.push(colors.green(`+${line}`));
      else out.push(colors.red(`-${line}`));
    }
    oldLine += oldCount;
    newLine += newCount;
    index = end;
  }
  return out.join('\n') + '\n';
}
