import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { applyPlans } from '../../src/io/apply';
import { collectSnapshot } from '../../src/io/collect';
import { planActivation, planObject } from '../../src/plan/activation';
import { KubeClient } from '../../src/kube/client';
import { resolveContext } from '../../src/kube/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Obj {
  spec: { replicas: number };
}

test('an edit between plan and apply is not clobbered: the test op fails, the object is re-read and re-planned', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('race');
  const rest = box.rest('destination');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '4' }));
  await createIn(rest, ns, deployment('api', 0, { [MIGRATION_REPLICAS]: '2' }));

  const context = await resolveContext({ env: box.env, contextName: 'destination' });
  const client = await KubeClient.connect(context, { requestTimeoutMs: 10_000, maxSockets: 4 });
  const selection = { all: false as const, names: [ns] };
  const snapshot = await collectSnapshot(client, { namespaces: selection });
  const plan = planActivation(snapshot, { direction: 'activate', namespaces: selection, force: false });

  // Someone scales web by hand and rewrites api's recorded count after we planned.
  await rest.mergePatch(`/apis/apps/v1/namespaces/${ns}/deployments/web`, { spec: { replicas: 1 } });
  await rest.mergePatch(`/apis/apps/v1/namespaces/${ns}/deployments/api`, { metadata: { annotations: { [MIGRATION_REPLICAS]: '5' } } });

  const results = await applyPlans(client, snapshot.resources, plan.objects, {
    serverDryRun: false,
    concurrency: 2,
    replan: (object, previous) => planObject(object, previous.resourceKey, 'activate', snapshot.registeredKinds),
  });
  client.close();
  const byName = Object.fromEntries(results.map((result) => [result.plan.ref.name, result]));
  assert.is(byName.web?.outcome, 'changed');
  assert.match(byName.web?.message ?? '', 're-planned after a concurrent edit (planned 0 → 4, found 1)');
  assert.is(byName.api?.outcome, 'changed');
  assert.match(byName.api?.message ?? '', 're-planned after a concurrent edit');
  assert.is((await rest.get<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas, 4);
  // The count recorded at write time wins, not the stale one the first plan read.
  assert.is((await rest.get<Obj>(`/apis/apps/v1/namespaces/${ns}/deployments/api`)).spec.replicas, 5);
  assert.is(client.requestCounts.get('get'), 3, 'one GET of the namespace plus one re-read per conflicting object');
});

test.after(() => closeClients());
test.run();
