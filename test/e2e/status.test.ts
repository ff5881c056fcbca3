import http from 'node:http';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATED, MIGRATION_REPLICAS, migrationSchedule, seedZookeeper, statefulSet } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closedPort, listen, writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface StatusReport {
  namespaces: Array<{ cluster: string; verdict: string; warnings: string[]; schedules: Array<{ name: string; lastSuccessAgeSeconds: number | null }>; workloads: unknown[] }>;
}

test('status on the zookeeper seed before and after a failover, and with a broken annotation', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('status');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const both = ['-n', ns, '--source-context', 'source', '--destination-context', 'destination', '-o', 'json'];
  const before = JSON.parse((await runFailover(['status', ...both], box.env)).stdout) as StatusReport;
  assert.equal(before.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['source', 'active'], ['destination', 'standby']]);
  // Suspended on the destination only (its static copy), replicating from the source: the normal state, no warning.
  assert.equal(before.namespaces.map((entry) => entry.warnings), [[], []]);

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

test('status warns of an HPA on a standby workload, a stale last success and a missing count; --stale-factor moves the threshold', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('status-warn');
  const destination = box.rest('destination');
  await seedZookeeper(box.rest('source'), destination, ns);
  await destination.ensure('/apis/stork.libopenstorage.org/v1alpha1/schedulepolicies', {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'SchedulePolicy',
    metadata: { name: 'default-migration-policy' },
    policy: { interval: { intervalMinutes: 15 } },
  });
  await createIn(destination, ns, { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'zk' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'zk' }, minReplicas: 1, maxReplicas: 5 } });
  await createIn(destination, ns, migrationSchedule('hourly', [ns], { lastSuccess: new Date(Date.now() - 2 * 3_600_000) }));
  await createIn(destination, ns, statefulSet('cache', 0, { [MIGRATED]: 'true' }));

  const run = await runFailover(['status', '-n', ns, '--context', 'destination', '-o', 'json'], box.env);
  assert.is(run.code, 0, run.stderr);
  const warnings = (JSON.parse(run.stdout) as StatusReport).namespaces[0]?.warnings ?? [];
  assert.ok(warnings.includes('statefulset/zk: a HorizontalPodAutoscaler targets this standby workload; it will fight the scale-up or keep it at 0'), warnings.join('\n'));
  assert.ok(warnings.some((warning) => /^migrationschedule hourly: last success 12\dm ago, more than 3× its 15m interval$/.test(warning)), warnings.join('\n'));
  assert.ok(warnings.includes('statefulset/cache: migrated by Stork but has no stork.libopenstorage.org/migrationReplicas annotation'), warnings.join('\n'));
  assert.not.ok(warnings.some((warning) => warning.startsWith('migrationschedule migrationschedule:')), 'a success 5m ago is fresh');

  const lenient = await runFailover(['status', '-n', ns, '--context', 'destination', '-o', 'json', '--stale-factor', '10'], box.env);
  assert.not.ok(((JSON.parse(lenient.stdout) as StatusReport).namespaces[0]?.warnings ?? []).some((warning) => warning.includes('last success')));
});

test('the source is down: status still reports the destination, names the unreachable source, exit 1', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('status-down');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  // A second kubeconfig file, merged through KUBECONFIG as kubectl does, holds a context whose server is gone.
  const port = await closedPort();
  const dead = writeKubeconfig({ name: 'dead-source', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority': box.state.caFile }, user: { token: 'whatever' } });
  const env = { ...box.env, KUBECONFIG: `${box.kubeconfig}${path.delimiter}${dead}` };
  const args = ['status', '-n', ns, '--source-context', 'dead-source', '--destination-context', 'destination', '--request-timeout', '5s'];

  const json = await runFailover([...args, '-o', 'json'], env);
  assert.is(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as StatusReport & { unreachable?: Array<{ cluster: string; error: string }> };
  assert.equal(report.unreachable, [{ cluster: 'dead-source', error: `cannot reach the API server https://127.0.0.1:${port}: connection refused` }]);
  assert.equal(report.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['destination', 'standby']]);

  const table = await runFailover(args, env);
  assert.is(table.code, 1);
  assert.match(table.stdout, `dead-source: unreachable: cannot reach the API server https://127.0.0.1:${port}: connection refused\n`);
  assert.match(table.stdout, `${ns} on destination: standby`);

  // One context only, and it is down: that is a plain error.
  const alone = await runFailover(['status', '-n', ns, '--context', 'dead-source'], env);
  assert.is(alone.code, 1);
  assert.match(alone.stderr, `error: cannot reach the API server https://127.0.0.1:${port}: connection refused`);
});

function withoutAges(report: StatusReport): unknown {
  return report.namespaces.map((entry) => ({ ...entry, schedules: entry.schedules.map((schedule) => ({ ...schedule, lastSuccessAgeSeconds: 'ignored' })) }));
}

/** A load balancer in front of a source cluster that is down, as nginx answers then. */
const NGINX_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

test('the other cluster answers an HTTP error (502 from a load balancer, 401, 500): the reachable one is reported in full, the other unreachable with the cause, exit 1', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('status-lb');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const expectedDestination = JSON.parse((await runFailover(['status', '-n', ns, '--context', 'destination', '-o', 'json'], box.env)).stdout) as StatusReport;
  assert.equal(expectedDestination.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['destination', 'standby']]);

  const answers = [
    { status: 502, type: 'text/html', body: NGINX_502, error: /^502 Bad Gateway \(not a Kubernetes answer: "<html> <head><title>502 Bad Gateway<\/title>/ },
    { status: 401, type: 'application/json', body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }), error: /^you must be logged in to the server http:\/\/127\.0\.0\.1:\d+: the credentials in the kubeconfig were rejected \(Unauthorized\)$/ },
    { status: 500, type: 'application/json', body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: request timed out', reason: 'InternalError', code: 500 }), error: /^etcdserver: request timed out$/ },
  ];
  for (const answer of answers) {
    const balancer = http.createServer((_request, response) => {
      response.writeHead(answer.status, { 'Content-Type': answer.type });
      response.end(answer.body);
    });
    const port = await listen(balancer);
    try {
      const failing = writeKubeconfig({ name: 'lb-source', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, user: { token: 'whatever' } });
      const env = { ...box.env, KUBECONFIG: `${box.kubeconfig}${path.delimiter}${failing}` };
      const args = ['status', '-n', ns, '--source-context', 'lb-source', '--destination-context', 'destination'];

      const json = await runFailover([...args, '-o', 'json'], env);
      assert.is(json.code, 1, `${answer.status}: ${json.stderr}`);
      const report = JSON.parse(json.stdout) as StatusReport & { unreachable?: Array<{ cluster: string; error: string }> };
      assert.equal(report.unreachable?.map((entry) => entry.cluster), ['lb-source'], String(answer.status));
      assert.match(report.unreachable?.[0]?.error ?? '', answer.error, String(answer.status));
      // The destination in full: the same as read alone (but for the ages, which move on).
      assert.equal(withoutAges(report), withoutAges(expectedDestination), String(answer.status));

      const table = await runFailover(args, env);
      assert.is(table.code, 1, String(answer.status));
      assert.match(table.stdout, /^lb-source: unreachable: .+$/m, String(answer.status));
      assert.match(table.stdout, `${ns} on destination: standby`, String(answer.status));
      assert.not.match(table.stderr, /^error:/m, String(answer.status));
    } finally {
      balancer.close();
    }
  }
});

test('status with a namespace that does not exist: one line, exit 2', async () => {
  const box = await sandbox();
  const run = await runFailover(['status', '-n', 'no-such-namespace', '--context', 'destination'], box.env);
  assert.is(run.code, 2);
  assert.is(run.stderr, 'error: namespace "no-such-namespace" not found\n');
});

test.after(() => closeClients());
test.run();
