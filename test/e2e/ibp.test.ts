import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number };
  status?: { observedGeneration?: number };
}

const peers = (ns: string, name = ''): string => `/apis/ibp.com/v1alpha1/namespaces/${ns}/ibppeers${name ? `/${name}` : ''}`;

test('IBP kinds: migrationReplicas → spec.replicas, no readiness wait (and the report says so); dry runs change nothing; deactivate records the count', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('ibp.com', 'ibppeers', 'IBPPeer', 'Namespaced', 'v1alpha1'));
  const ns = uniqueNamespace('ibp');
  await ensureNamespace(rest, ns);
  await rest.create(peers(ns), { apiVersion: 'ibp.com/v1alpha1', kind: 'IBPPeer', metadata: { name: 'peer0', annotations: { [MIGRATION_REPLICAS]: '2' } }, spec: { replicas: 0 } });
  await createIn(rest, ns, deployment('console', 0, { [MIGRATION_REPLICAS]: '1' }));
  const peerBefore = await rest.get<Obj>(peers(ns, 'peer0'));
  await settled(rest, `/apis/apps/v1/namespaces/${ns}/deployments/console`);

  for (const mode of ['client', 'server']) {
    const dry = await runFailover(['activate', '-n', ns, '--context', 'destination', `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr + dry.stdout);
    assert.match(dry.stdout, `+++ ${ns}/ibppeer/peer0 (${mode === 'server' ? 'server dry run' : 'planned'})`);
    assert.match(dry.stdout, '-  replicas: 0\n+  replicas: 2');
  }
  assert.is((await rest.get<Obj>(peers(ns, 'peer0'))).metadata.resourceVersion, peerBefore.metadata.resourceVersion);

  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '60s'], box.env);
  assert.is(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /ibppeer\/peer0\s+0 → 2\s+changed\s+no readiness wait: IBP kinds report no ready count/);
  // Only the Deployment is waited for.
  assert.match(run.stdout, /1\/1 ready after/);
  assert.is((await rest.get<Obj>(peers(ns, 'peer0'))).spec.replicas, 2);

  const down = await runFailover(['deactivate', '-n', ns, '--context', 'destination', '--wait=false'], box.env);
  assert.is(down.code, 0, down.stderr + down.stdout);
  const peer = await rest.get<Obj>(peers(ns, 'peer0'));
  assert.is(peer.spec.replicas, 0);
  assert.is(peer.metadata.annotations?.[MIGRATION_REPLICAS], '2');
});

test.after(() => closeClients());
test.run();
