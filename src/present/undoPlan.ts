import type { RunUndoPlan } from '../failover/undo';
import { journalLines } from '../failover/undo';
import type { Json } from '../kube/objects';
import { renderTable } from './table';

const value = (json: Json | undefined): string => (json === undefined || json === null ? '<unset>' : JSON.stringify(json));

/**
 * undo's plan, printed (on stderr) before anything is written: per object, destination first,
 * which cluster, what undo does (restore, unchanged, leave, hold, blocked), the fields it writes
 * (from → to) and the journal lines of the run's writes it answers, or why it writes nothing.
 */
export function renderUndoPlan(plan: RunUndoPlan, runId: string, journal: string, dryRun: string): string {
  const rows = plan.steps.map((step) => {
    const { kind, namespace, name } = step.written.object;
    const fields = step.action === 'restore' ? step.plan.changes.map((change) => `${change.path.join('.')} ${value(change.from)} → ${value(change.to)}`).join('; ') : '';
    const note = step.action === 'restore' ? '' : (step.plan.reason ?? '');
    return [`${step.written.cluster}${step.written.context ? ` (${step.written.context})` : ''}`, step.action, `${kind.toLowerCase()}/${namespace ? `${namespace}/` : ''}${name}`, fields, journalLines(step.written.lines).replace(/^journal /, ''), note];
  });
  const writes = plan.steps.filter((step) => step.action === 'restore').length;
  const head = `undo plan of run ${runId} (journal ${journal}): ${plan.refusal ? 'refused, nothing will be written' : `${writes} write(s), destination first`}${dryRun === 'none' ? '' : ` (dry run: ${dryRun})`}`;
  if (rows.length === 0) return `${head}: the run wrote nothing\n`;
  return `${head}\n${renderTable(['CLUSTER', 'UNDO', 'OBJECT', 'WRITES', 'JOURNAL', 'NOTE'], rows)}`;
}
