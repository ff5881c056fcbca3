import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alive, readState, restFor, startSandbox, stopSandbox } from '../../scripts/sandbox/cluster';

test('a sandbox serves TLS with its own CA, refuses writes to the read-only user, and down leaves no process behind', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-sandbox-check-'));
  const state = await startSandbox(dir);
  try {
    assert.is(state.pids.length, 7, 'etcd, three API servers, the status simulator, the migration and action controller stand-ins');
    const admin = restFor(state, 'source');
    const namespaces = await admin.get<{ items: unknown[] }>('/api/v1/namespaces');
    assert.ok(namespaces.items.length >= 3);
    const crd = await admin.get<{ spec: { versions: Array<{ subresources?: unknown }> } }>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/migrationschedules.stork.libopenstorage.org');
    assert.is(crd.spec.versions[0]?.subresources, undefined, 'no status subresource, as Stork registers it');
    for (const plural of ['migrations', 'actions']) {
      const other = await admin.get<typeof crd>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.stork.libopenstorage.org`);
      assert.is(other.spec.versions[0]?.subresources, undefined, `${plural}: no status subresource`);
    }
    const readonly = restFor(state, 'source', 'readonly');
    await readonly.get('/api/v1/namespaces');
    let status = 0;
    await readonly.create('/api/v1/namespaces', { metadata: { name: 'nope' } }).catch((error: { statusCode?: number }) => (status = error.statusCode ?? 0));
    assert.is(status, 403);
    admin.close();
    readonly.close();
  } finally {
    await stopSandbox(dir);
  }
  assert.equal(state.pids.filter(alive), []);
  assert.not.ok(existsSync(path.join(dir, 'state.json')));
  assert.throws(() => readState(dir), /no sandbox/);
});

test.run();
