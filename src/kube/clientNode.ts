// Imported only dynamically (by kubeconfig.ts), and by name from the module that defines it: the
// bundle then holds just what KubeConfig needs of @kubernetes/client-node (not its generated API,
// nor the websocket, tar and watch code its index pulls in), evaluated only when a command first
// reads a kubeconfig. `--help`, `version` and completion of verbs never load it.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
