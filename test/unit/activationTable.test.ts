import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { predictResult } from '../../src/io/apply';
import { planScaledWorkload } from '../../src/plan/rules/scaledWorkload';
import { palette } from '../../src/present/colors';
import { renderActivationTable } from '../../src/present/activationTable';
import { buildChangeReport } from '../../src/report/activationReport';
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

test.run();
