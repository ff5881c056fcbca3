import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { predictResult } from '../../src/io/apply';
import { planScaledWorkload } from '../../src/plan/rules/scaledWorkload';
import { palette } from '../../src/present/colors';
import { renderActivationTable } from '../../src/present/activationTable';
import { buildChangeReport, changeVerdict } from '../../src/report/activationReport';
import { REPLICAS, workload } from './fixtures';

/** One workload already at its recorded count, one Stork did not migrate (skipped). */
function alreadyActive() {
  const results = [workload('StatefulSet', 'zk', { replicas: 3, annotations: { [REPLICAS]: '3' } }), workload('Deployment', 'tool', { replicas: 1 })].map((object) =>
    predictResult(planScaledWorkload(object, `${object.kind}.apps`, 'activate')),
  );
  return buildChangeReport({ verb: 'activate', context: 'destination', dryRun: 'none', scope: [{ namespace: 'zookeeper', included: true, reason: 'named with -n', explicit: true }], results, warnings: [] });
}

test('skipped objects: without -v the summary points to -v; with -v they are listed and the pointer is gone', () => {
  const report = alreadyActive();
  const plain = renderActivationTable(report, palette(false), false);
  assert.match(plain, 'already active: 1 unchanged in 1 namespace(s); 1 skipped (-v lists them)');
  assert.not.match(plain, 'deployment/tool');

  const verbose = renderActivationTable(report, palette(false), true);
  assert.match(verbose, /deployment\/tool\s+1\s+skipped\s+no stork.libopenstorage.org\/migrationReplicas annotation/);
  assert.match(verbose, 'already active: 1 unchanged in 1 namespace(s); 1 skipped\n');
  assert.not.match(verbose, '-v lists them');
});

test('the hold check: a write set back is named in its row and the summary, and fails the verdict; one that held adds nothing', () => {
  const object = workload('Deployment', 'web', { replicas: 2 });
  const result = { ...predictResult(planScaledWorkload(object, 'Deployment.apps', 'deactivate')), after: workload('Deployment', 'web', { replicas: 0 }) };
  const scope = [{ namespace: 'zookeeper', included: true, reason: 'named with -n', explicit: true }];
  const ref = result.plan.ref;
  const report = buildChangeReport({
    verb: 'deactivate',
    context: 'source',
    dryRun: 'none',
    scope,
    results: [result],
    hold: { holdMs: 3000, checked: 1, breaches: [{ ref, resourceKey: 'Deployment.apps', wrote: 0, found: 2, writer: { manager: 'argocd-controller' } }] },
    warnings: [],
  });
  assert.equal(report.hold, { holdSeconds: 3, checked: 1, notHeld: [{ namespace: 'zookeeper', kind: 'Deployment', name: 'web', wrote: 0, found: 2, writer: 'argocd-controller' }] });
  assert.is(changeVerdict(report), 'failed');
  const table = renderActivationTable(report, palette(false), false);
  assert.match(table, /deployment\/web\s+2 → 0\s+changed\s+not held: replicas set back to 2 by argocd-controller/);
  assert.match(table, '1 changed, 0 unchanged, 0 failed in 1 namespace(s); not held after 3s: zookeeper/deployment/web set back to 2 by argocd-controller\n');

  const held = buildChangeReport({ verb: 'deactivate', context: 'source', dryRun: 'none', scope, results: [result], hold: { holdMs: 3000, checked: 1, breaches: [] }, warnings: [] });
  assert.is(changeVerdict(held), 'succeeded');
  assert.match(renderActivationTable(held, palette(false), false), '1 changed, 0 unchanged, 0 failed in 1 namespace(s)\n');
});

test.run();
