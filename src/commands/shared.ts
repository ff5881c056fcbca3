import type { GlobalOptions } from '../cli/globalOptions';
import type { CommandDeps } from '../core/command';
import { failPhaseOnError } from '../core/progress';
import { resolveScheduleScope, type ResolvedScheduleScope } from '../io/scheduleScope';
import type { KubeApi } from '../kube/client';
import type { ResolvedContext } from '../kube/kubeconfig';
import type { ScheduleReference } from '../plan/scheduleScope';
import type { NamespaceSelection } from '../plan/types';

/** -A, else -n, else the context's namespace (kubectl's rule): the one place flags become a namespace selection. */
export function selectionFor(globals: GlobalOptions, kubeContext: ResolvedContext): NamespaceSelection {
  return globals.allNamespaces ? { all: true } : { all: false, names: [globals.namespace ?? kubeContext.namespace] };
}

/** Where -m's schedule lives: -n, else the context's namespace (storkctl: -n names the schedule's namespace). */
export function scheduleNamespaceFor(globals: GlobalOptions, kubeContext: ResolvedContext): string {
  return globals.namespace ?? kubeContext.namespace;
}

export function describeSelection(selection: NamespaceSelection): string {
  return selection.all ? 'all namespaces' : `namespace ${selection.names.join(', ')}`;
}

/** -m: reads the schedule and the namespaces it gives, under a progress phase. Throws before any write. */
export async function readScheduleScope(api: KubeApi, kubeContext: ResolvedContext, globals: GlobalOptions, reference: ScheduleReference, deps: Pick<CommandDeps, 'progress'>): Promise<ResolvedScheduleScope> {
  const namespace = scheduleNamespaceFor(globals, kubeContext);
  const what = `migrationschedule ${namespace}/${reference.name} (context ${kubeContext.contextName})`;
  const phase = deps.progress.start(`Reading ${what}`);
  const scope = await failPhaseOnError(phase, `Could not scope by ${what}`, () => resolveScheduleScope(api, kubeContext.contextName, reference, namespace));
  phase.succeed(`${what}: ${scope.selection.names.length} namespace(s) in scope: ${scope.selection.names.join(', ')}`);
  return scope;
}
