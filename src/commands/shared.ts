import type { GlobalOptions } from '../cli/globalOptions';
import type { ResolvedContext } from '../kube/kubeconfig';
import type { NamespaceSelection } from '../plan/types';

/** -A, else -n, else the context's namespace (kubectl's rule): the one place flags become a namespace selection. */
export function selectionFor(globals: GlobalOptions, kubeContext: ResolvedContext): NamespaceSelection {
  return globals.allNamespaces ? { all: true } : { all: false, names: [globals.namespace ?? kubeContext.namespace] };
}

export function describeSelection(selection: NamespaceSelection): string {
  return selection.all ? 'all namespaces' : `namespace ${selection.names.join(', ')}`;
}
