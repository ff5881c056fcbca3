import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATION_REPLICAS, seedZookeeper } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface StatusReport {
  namespaces: Array<{ cluster: string; verdict: string; warnings: string[] }>;
}

test('status on the zookeeper seed before and after a failover, and with a broken annotation', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('status');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const both = ['-n', ns, '--source-context', 'source', '--destination-context', 'destination', '-o', 'json'];
  const before = JSON.parse((await runFailover(['status', ...both], box.env)).stdout) as StatusReport;
  assert.equal(before.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['source', 'active'], ['destination', 'standby']]);

  assert.is((await runFailover(['suspend', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await runFailover(['activate', '-n', ns, '--context', 'destination'], box.env)).code, 0);
  const after = JSON.parse((await runFailover(['status', ...both], box.env)).stdout) as StatusReport;
  assert.equal(after.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['source', 'standby'], ['destination', 'active']]);
  assert.match(after.namespaces[0]?.warnings.join('\n') ?? '', 'suspended on both clusters');

  await createIn(box.rest('destination'), ns, deployment('broken', 0, { [MIGRATION_REPLICAS]: 'oops' }));
  const table = await runFailover(['status', '-n', ns, '--context', 'destination'], box.env);
  assert.is(table.code, 0);
  assert.match(table.stdout, `${ns} on destination: partially active`);
  assert.match(table.stdout, 'warning: deployment/broken: stork.libopenstorage.org/migrationReplicas "oops" is not an integer');
});

test.after(() => closeClients());
test.run();
