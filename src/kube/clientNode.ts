// Imported only dynamically (by kubeconfig.ts), and by name: the bundle then holds just what
// KubeConfig needs of @kubernetes/client-node (not its whole generated API), and evaluates it only
// when a command first reads a kubeconfig. `--help` and `version` never load it.
export { KubeConfig } from '@kubernetes/client-node';
