import { writeFileSync } from 'node:fs';
import { runCli } from './src/cli/app';
for (const server of ['https://127.0.0.1:1', 'https://localhost:1']) {
  writeFileSync('/tmp/kc.json', JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'c', cluster: { server } }], users: [{ name: 'u', user: { token: 'tok-secret' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }] }));
  let err = ''; const t = Date.now();
  const code = await runCli(['activate', '--kubeconfig', '/tmp/kc.json'], { stdout: { write: (x: string) => process.stdout.write(x) }, stderr: { write: (x: string) => (err += x) }, env: {}, argv0: 'x' });
  console.log(code, JSON.stringify(err), Date.now() - t);
}
