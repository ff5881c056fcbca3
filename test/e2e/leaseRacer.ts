// A process of its own for the run-lease race (runLease.test.ts): waits until a given instant,
// tries to take the run lease on the destination, prints one JSON line saying whether it won,
// holds what it won until its stdin ends (the test ends it once every racer has answered, so a
// late starter cannot find the winner gone), then releases it.
// Usage: node --import tsx test/e2e/leaseRacer.ts <namespaces,comma-separated> <run id> <start epoch ms>
import { KubeClient } from '../../src/kube/client';
import { resolveContext } from '../../src/kube/kubeconfig';
import { acquireRunLease, RunLeaseHeldError } from '../../src/io/runLease';

const [namespaces = '', runId = '', startAt = '0'] = process.argv.slice(2);
const context = await resolveContext({ env: process.env, contextName: 'destination' });
const api = await KubeClient.connect(context, { requestTimeoutMs: 20_000, maxSockets: 16 });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
try {
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: namespaces.split(','), holder: { runId, user: `user-${runId}`, host: `host-${runId}` } });
  process.stdout.write(`${JSON.stringify({ runId, won: true })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await lease.release();
} catch (error) {
  process.stdout.write(`${JSON.stringify({ runId, won: false, held: error instanceof RunLeaseHeldError, message: error instanceof Error ? error.message : String(error) })}\n`);
}
api.close();
