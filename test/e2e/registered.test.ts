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
  assert.is(deactivate.code, 0, deactivate.stderr + deactivate.stdout);
  assert.match(deactivate.stdout, /database\/orders\s+.*changed/);
  const down = await rest.get<Database>(`${path}/orders`);
  assert.equal(down.spec, { replicas: 0, paused: true, mode: 'standby' });
  assert.is(down.metadata.annotations?.['stork.libopenstorage.org/spec.replicas'], '3,0');
});

/**
 * Stork's default `virtualmachine` ApplicationRegistration, as Stork creates it at start-up
 * (libopenstorage/stork pkg/appregistration GetSupportedCRD, serialised as its Go types are).
 */
const STORK_VIRTUALMACHINE_REGISTRATION = {
  apiVersion: 'stork.libopenstorage.org/v1alpha1',
  kind: 'ApplicationRegistration',
  metadata: { name: 'virtualmachine' },
  resources: [
    {
      group: 'kubevirt.io',
      version: 'v1',
      kind: 'VirtualMachine',
      keepStatus: false,
      suspendOptions: { path: 'spec.runStrategy', type: 'string', value: 'Halted' },
      podsPath: '',
      customSuspendOptions: null,
      stashStrategy: { stashCR: false },
    },
  ],
};

test("VirtualMachines where Stork's default virtualmachine registration exists: one row per VM, the registration's rule", async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('kubevirt.io', 'virtualmachines', 'VirtualMachine', 'Namespaced', 'v1'));
  const registrations = '/apis/stork.libopenstorage.org/v1alpha1/applicationregistrations';
  await rest.ensure(registrations, STORK_VIRTUALMACHINE_REGISTRATION);
  try {
    const ns = uniqueNamespace('vm-registered');
    await ensureNamespace(rest, ns);
    const vms = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`;
    // As Stork migrates a VM under that registration: halted, its run strategy recorded as "<active>,<suspended>".
    await rest.create(vms, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'db', annotations: { 'stork.libopenstorage.org/migrated': 'true', 'stork.libopenstorage.org/spec.runStrategy': 'RerunOnFailure,Halted' } },
      spec: { runStrategy: 'Halted' },
    });
    await rest.create(vms, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'local' }, spec: { runStrategy: 'Halted' } });
    const rows = (stdout: string): Array<[string, string]> =>
      (JSON.parse(stdout) as { objects: Array<{ kind: string; name: string; result: string }> }).objects.filter((row) => row.kind === 'VirtualMachine').map((row) => [row.name, row.result]);
    const spec = async (name: string): Promise<{ spec: Record<string, unknown>; metadata: { annotations?: Record<string, string> } }> => rest.get(`${vms}/${name}`);

    const activate = await runFailover(['activate', '-n', ns, '--context', 'destination', '-o', 'json'], box.env);
    assert.is(activate.code, 0, activate.stderr);
    assert.equal(rows(activate.stdout), [
      ['db', 'changed'],
      ['local', 'skipped'],
    ]);
    // The built-in rule would have set Always; the registration restores the recorded strategy.
    assert.equal((await spec('db')).spec, { runStrategy: 'RerunOnFailure' });
    assert.equal((await spec('local')).spec, { runStrategy: 'Halted' });

    const deactivate = await runFailover(['deactivate', '-n', ns, '--context', 'destination', '-o', 'json'], box.env);
    assert.is(deactivate.code, 0, deactivate.stderr);
    assert.equal(rows(deactivate.stdout), [
      ['db', 'changed'],
      ['local', 'unchanged'],
    ]);
    const down = await spec('db');
    assert.equal(down.spec, { runStrategy: 'Halted' });
    assert.is(down.metadata.annotations?.['stork.libopenstorage.org/spec.runStrategy'], 'RerunOnFailure,Halted');
  } finally {
    // Cluster-wide: other tests' VMs on this cluster follow the built-in rule.
    await rest.delete(`${registrations}/virtualmachine`);
  }
});

test.after(() => closeClients());
test.run();
