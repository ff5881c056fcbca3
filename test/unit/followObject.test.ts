// Following one object (io/followObject.ts): polled where the API cannot watch, watched from the
// resourceVersion read where it can; bounded by the deadline, stopped by ^C or a deletion.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { followObject } from '../../src/io/followObject';
import type { WatchEvent, WatchRequest } from '../../src/kube/client';
import type { KubeObject } from '../../src/kube/objects';
import type { ApiResource } from '../../src/kube/resources';
import { FakeApi, fakeClock } from '../support/fakeApi';

const resource: ApiResource = { group: 'stork.libopenstorage.org', version: 'v1alpha1', kind: 'Action', resource: 'actions', namespaced: true };
const path = '/apis/stork.libopenstorage.org/v1alpha1/namespaces/app/actions/a';
const action = (stage: string, resourceVersion = '1'): KubeObject => ({ apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'Action', metadata: { name: 'a', namespace: 'app', resourceVersion }, status: { stage } });
const stageOf = (object: KubeObject): string => String(object.status?.stage ?? '');

test('polled (no watch): every state read until done; a read error is reported and retried', async () => {
  const api = new FakeApi();
  const stages = ['', 'ScaleDownSource', 'Final'];
  let reads = 0;
  api.before = (request) => {
    if (request.path !== path) return;
    reads += 1;
    if (reads === 2) throw new Error('connection reset');
    api.put(path, action(stages.shift() ?? 'Final'));
  };
  const seen: string[] = [];
  const errors: string[] = [];
  const clock = fakeClock();
  const end = await followObject(api, resource, 'a', 'app', { clock, deadline: clock.now() + 60_000, signal: new AbortController().signal, onObject: (object) => (seen.push(stageOf(object)), stageOf(object) === 'Final'), onReadError: (error) => errors.push(String(error)) });
  assert.is(end, 'done');
  assert.equal(seen, ['', 'ScaleDownSource', 'Final']);
  assert.equal(errors, ['Error: connection reset']);
});

test('polled: the deadline ends it (timed-out), a 404 (deleted), an abort (interrupted)', async () => {
  const api = new FakeApi();
  api.put(path, action('LastMileMigration'));
  const clock = fakeClock();
  const never = (): boolean => false;
  assert.is(await followObject(api, resource, 'a', 'app', { clock, deadline: clock.now() + 30_000, signal: new AbortController().signal, onObject: never }), 'timed-out');
  const stop = new AbortController();
  let reads = 0;
  const interrupted = await followObject(api, resource, 'a', 'app', { clock, deadline: clock.now() + 30_000, signal: stop.signal, onObject: () => (++reads === 3 && stop.abort('SIGINT'), false) });
  assert.is(interrupted, 'interrupted');
  api.objects.delete(path);
  assert.is(await followObject(api, resource, 'a', 'app', { clock, deadline: clock.now() + 30_000, signal: new AbortController().signal, onObject: never }), 'deleted');
});

test('watched: from the resourceVersion read, every event in order; a 410 ERROR reads again and watches from there', async () => {
  const api = new FakeApi();
  api.put(path, action('', '10'));
  const watches: WatchRequest[] = [];
  const streams: WatchEvent[][] = [
    [{ type: 'MODIFIED', object: action('ScaleDownSource', '11') }, { type: 'ERROR', object: { kind: 'Status', code: 410 } }],
    [{ type: 'MODIFIED', object: action('WaitAfterScaleDown', '13') }, { type: 'MODIFIED', object: action('Final', '14') }],
  ];
  api.watch = async (request, onEvent) => {
    watches.push(request);
    for (const event of streams[watches.length - 1] ?? []) {
      // Past the 410 the object moved on: the GET that follows reads it.
      if (event.type === 'ERROR') api.put(path, action('ScaleDownSource', '12'));
      if (!onEvent(event)) return;
    }
  };
  const seen: string[] = [];
  const clock = fakeClock();
  const end = await followObject(api, resource, 'a', 'app', { clock, deadline: clock.now() + 60_000, signal: new AbortController().signal, onObject: (object) => (seen.push(`${stageOf(object)}@${object.metadata.resourceVersion}`), stageOf(object) === 'Final') });
  assert.is(end, 'done');
  assert.equal(seen, ['@10', 'ScaleDownSource@11', 'ScaleDownSource@12', 'WaitAfterScaleDown@13', 'Final@14']);
  assert.equal(watches.map((request) => [request.query.resourceVersion, request.query.fieldSelector]), [['10', 'metadata.name=a'], ['12', 'metadata.name=a']]);
  assert.ok(watches.every((request) => request.query.timeoutSeconds >= 1 && request.query.timeoutSeconds <= 60), 'every watch is bounded');
});

test.run();
