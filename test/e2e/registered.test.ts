import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { ensureNamespace } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Database {
  spec: { replicas: number; paused: boolean; mode: string };
  metadata: { annotations?: Record<string, string> };
}

test('a CRD registered through an ApplicationRegistration: int, bool and string suspend paths round-trip', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('example.com', 'databases', 'Database', 'Namespaced', 'v1'));
  await rest.ensure('/apis/stork.libopenstorage.org/v1alpha1/applicationregistrations', {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'ApplicationRegistration',
    metadata: { name: 'databases' },
    resources: [
      {
        group: 'example.com',
        version: 'v1',
        kind: 'Database',
        keepStatus: false,
        suspendOptions: { path: 'spec.replicas', type: 'int', value: '0' },
        nestedSuspendOptions: [
          { path: 'spec.paused', type: 'bool' },
          { path: 'spec.mode', type: 'string', value: 'standby' },
        ],
      },
    ],
  });
  const ns = uniqueNamespace('crd');
  await ensureNamespace(rest, ns);
  const path = `/apis/example.com/v1/namespaces/${ns}/databases`;
  await rest.create(path, {
    apiVersion: 'example.com/v1',
    kind: 'Database',
    metadata: { name: 'orders', annotations: { 'stork.libopenstorage.org/migrated': 'true', 'stork.libopenstorage.org/spec.replicas': '3,0', 'stork.libopenstorage.org/spec.mode': 'primary,standby' } },
    spec: { replicas: 0, paused: true, mode: 'standby' },
  });
  await rest.create(path, { apiVersion: 'example.com/v1', kind: 'Database', metadata: { name: 'broken', annotations: { 'stork.libopenstorage.org/spec.replicas': 'lots,0' } }, spec: { replicas: 0 } });

  const activate = await runFailover(['activate', '-n', ns, '--context', 'destination'], box.env);
  assert.is(activate.code, 1, 'the broken one fails the run');
  assert.match(activate.stdout, /database\/broken\s+.*failed\s+annotation stork.libopenstorage.org\/spec.replicas "lots,0"/);
  const orders = await rest.get<Database>(`${path}/orders`);
  assert.equal(orders.spec, { replicas: 3, paused: false, mode: 'primary' });

  const deactivate = await runFailover(['deactivate', '-n', ns, '--context', 'destination'], box.env);
  assert.match(deactivate.stdout, /database\/orders\s+.*changed/);
  const down = await rest.get<Database>(`${path}/orders`);
  assert.equal(down.spec, { replicas: 0, paused: true, mode: 'standby' });
  assert.is(down.metadata.annotations?.['stork.libopenstorage.org/spec.replicas'], '3,0');
});

test.after(() => closeClients());
test.run();
