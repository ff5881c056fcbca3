import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GlobalOptions } from '../../src/cli/globalOptions';
import { parseNamespaceList } from '../../src/cli/flags';
import { scheduleNameFrom, scheduleReferenceFrom } from '../../src/cli/scheduleScopeFlags';
import { UsageError } from '../../src/core/errors';
import type { KubeObject } from '../../src/kube/objects';
import { planActivation } from '../../src/plan/activation';
import { scheduleScope } from '../../src/plan/scheduleScope';
import type { NamespaceInfo } from '../../src/stork/migrationSchedule';
import { workload } from './fixtures';

function schedule(template: Record<string, unknown>): KubeObject {
  return { apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', metadata: { name: 'dr', namespace: 'admin' }, spec: { template: { spec: template } } as KubeObject['spec'] };
}

const cluster: NamespaceInfo[] = [
  { name: 'shop', labels: {} },
  { name: 'billing', labels: { tier: 'gold' } },
  { name: 'search', labels: { tier: 'gold' } },
  { name: 'tools', labels: { tier: 'bronze' } },
  { name: 'admin', labels: {} },
];
const dr = schedule({ namespaces: ['shop', 'gone'], namespaceSelectors: { tier: 'gold' } });
const none = { include: [], exclude: [] };

test('schedule scope: listed namespaces plus those its selectors match here; one not on the cluster is left out and named', () => {
  const scope = scheduleScope(dr, cluster, { name: 'dr', ...none });
  assert.ok(scope.ok);
  if (!scope.ok) return;
  assert.equal(scope.names, ['billing', 'search', 'shop']);
  assert.equal(scope.missing, ['gone']);
  assert.equal(
    scope.namespaces.map((entry) => [entry.namespace, entry.included, entry.reason]),
    [
      ['billing', true, 'migrated by migrationschedule admin/dr'],
      ['gone', false, 'not found on this cluster'],
      ['search', true, 'migrated by migrationschedule admin/dr'],
      ['shop', true, 'migrated by migrationschedule admin/dr'],
    ],
  );
});

test('schedule scope: --include-namespaces keeps the subset, --exclude-namespaces removes it', () => {
  const include = scheduleScope(dr, cluster, { name: 'dr', include: ['search', 'shop'], exclude: [] });
  assert.equal(include.ok && include.names, ['search', 'shop']);
  assert.equal(include.ok && include.namespaces.find((entry) => entry.namespace === 'billing'), { namespace: 'billing', included: false, reason: 'not in --include-namespaces' });
  const exclude = scheduleScope(dr, cluster, { name: 'dr', include: [], exclude: ['billing', 'gone'] });
  assert.equal(exclude.ok && exclude.names, ['search', 'shop']);
  assert.equal(exclude.ok && exclude.missing, []);
  assert.equal(exclude.ok && exclude.namespaces.find((entry) => entry.namespace === 'billing'), { namespace: 'billing', included: false, reason: 'left out by --exclude-namespaces' });
});

test("schedule scope: storkctl perform's refusals, in its words", () => {
  const both = scheduleScope(dr, cluster, { name: 'dr', include: ['shop'], exclude: ['billing'] });
  assert.equal(both, { ok: false, problem: 'can provide only one of --include-namespaces or --exclude-namespaces values at once' });
  const outside = scheduleScope(dr, cluster, { name: 'dr', include: ['shop', 'tools', 'kube-system'], exclude: [] });
  assert.is(outside.ok, false);
  assert.match(!outside.ok ? outside.problem : '', /^provided namespaces \[tools kube-system\] are not a subset of the namespaces being migrated by the given MigrationSchedule \(migrationschedule admin\/dr migrates billing, gone, search, shop\)$/);
  const excludeOutside = scheduleScope(dr, cluster, { name: 'dr', include: [], exclude: ['tools'] });
  assert.match(!excludeOutside.ok ? excludeOutside.problem : '', 'provided namespaces [tools] are not a subset');
});

test('schedule scope: nothing left to act on is a problem, not a quiet no-op', () => {
  const all = scheduleScope(dr, cluster, { name: 'dr', include: [], exclude: ['shop', 'billing', 'search', 'gone'] });
  assert.match(!all.ok ? all.problem : '', '--exclude-namespaces leaves no namespace of migrationschedule admin/dr');
  const empty = scheduleScope(schedule({ namespaceSelectors: { tier: 'platinum' } }), cluster, { name: 'dr', ...none });
  assert.match(!empty.ok ? empty.problem : '', 'migrationschedule admin/dr migrates no namespace on this cluster');
  const absent = scheduleScope(schedule({ namespaces: ['gone'] }), cluster, { name: 'dr', ...none });
  assert.match(!absent.ok ? absent.problem : '', 'none of the namespaces migrationschedule admin/dr migrates (gone) exists on this cluster');
});

const globals: GlobalOptions = { allNamespaces: false, dryRun: 'none', output: 'table', requestTimeoutMs: 30_000, color: false, verbose: false, overrides: {}, logRequests: false };
const usage = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

test('flags: comma lists add up when repeated; empty items, -A, lists without -m and both lists are usage errors', () => {
  assert.equal(parseNamespaceList('--include-namespaces', ['a, b', 'c,a']), ['a', 'b', 'c']);
  assert.equal(parseNamespaceList('--include-namespaces', undefined), []);
  assert.match(usage(() => parseNamespaceList('--include-namespaces', 'a,,b')), '--include-namespaces "a,,b": an empty namespace name');
  assert.equal(scheduleReferenceFrom({ 'migration-schedule': 'dr', 'exclude-namespaces': ['x,y'] }, globals), { name: 'dr', include: [], exclude: ['x', 'y'] });
  assert.is(scheduleReferenceFrom({}, globals), undefined);
  assert.match(usage(() => scheduleReferenceFrom({ 'include-namespaces': ['a'] }, globals)), '--include-namespaces needs -m/--migration-schedule');
  assert.match(usage(() => scheduleReferenceFrom({ 'migration-schedule': 'dr' }, { ...globals, allNamespaces: true })), 'cannot be combined');
  assert.is(usage(() => scheduleReferenceFrom({ 'migration-schedule': 'dr', 'include-namespaces': ['a'], 'exclude-namespaces': ['b'] }, globals)), 'can provide only one of --include-namespaces or --exclude-namespaces values at once');
  assert.match(usage(() => scheduleReferenceFrom({ 'migration-schedule': ' ' }, globals)), '--migration-schedule needs a non-empty value');
  assert.equal(scheduleReferenceFrom({ 'migration-reference': 'dr' }, globals), { name: 'dr', include: [], exclude: [] });
  assert.match(usage(() => scheduleReferenceFrom({ 'migration-schedule': 'dr', 'migration-reference': 'other' }, globals)), 'name two schedules');
  assert.is(scheduleNameFrom({ 'migration-schedule': 'dr' }, 'suspend'), 'dr');
  assert.is(usage(() => scheduleNameFrom({ 'migration-schedule': 'dr', 'exclude-namespaces': ['a'] }, 'resume')), '--exclude-namespaces does not apply to resume: a MigrationSchedule is resumed as a whole');
});

test('deactivate -m: the namespaces the schedule migrates count as protected by it, even when it could not be listed; left-out ones are not refused', () => {
  const scope = scheduleScope(dr, cluster, { name: 'dr', include: [], exclude: ['billing'] });
  assert.ok(scope.ok);
  if (!scope.ok) return;
  const plan = planActivation(
    {
      // Schedules could not be listed (RBAC): without -m none of these namespaces would look protected.
      workloads: [
        { object: workload('Deployment', 'web', { replicas: 2, namespace: 'shop' }), resourceKey: 'Deployment.apps' },
        { object: workload('Deployment', 'pay', { replicas: 2, namespace: 'billing' }), resourceKey: 'Deployment.apps' },
      ],
      schedules: [],
      namespaces: cluster,
      registeredKinds: [],
    },
    { direction: 'deactivate', namespaces: { all: false, names: scope.names }, force: false, schedule: { object: { ...dr, metadata: { ...dr.metadata, annotations: { 'stork.libopenstorage.org/static-copy': 'true' } } }, namespaces: scope.namespaces } },
  );
  assert.equal(plan.scope.map((entry) => [entry.namespace, entry.included]), [['billing', false], ['gone', false], ['search', true], ['shop', true]]);
  assert.is(plan.scope.some((entry) => entry.explicit && !entry.included), false);
  assert.equal(plan.objects.map((object) => `${object.ref.kind}/${object.ref.name}:${object.action}`), ['Deployment/web:change', 'MigrationSchedule/dr:unchanged']);
});

test.run();
