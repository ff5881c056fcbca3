import type { CommandContext } from '../../cli/context';
import { UsageError } from '../../cli/errors';
import { ExitCode } from '../../cli/exitCodes';
import type { GlobalOptions } from '../../cli/globalOptions';
import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { collectSnapshot, type NamespaceSelection } from '../../io/collect';
import { planActivation, planObject } from '../../plan/activation';
import { buildReport, reportSucceeded } from '../../report/activationReport';
import { waitForWorkloads, type WaitResult } from '../../io/wait';
import type { Direction } from '../../plan/types';
import { renderActivationTable } from '../../present/activationTable';
import { palette } from '../../present/colors';
import { renderDryRunDiffs } from '../../present/dryRunDiffs';
import { createProgress, within } from '../../present/progress';
import { serialize } from '../../present/serialize';
import { parseDuration } from '../../util/duration';

export interface ActivationOptions extends GlobalOptions {
  wait: boolean;
  timeout: string;
  concurrency: number;
  force?: boolean;
}

function validate(options: ActivationOptions): { timeoutMs: number } {
  const timeoutMs = parseDuration(options.timeout);
  if (timeoutMs === undefined) throw new UsageError(`invalid --timeout "${options.timeout}": use a duration such as 90s or 5m`);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new UsageError(`invalid --concurrency ${options.concurrency}: use a whole number of at least 1`);
  }
  return { timeoutMs };
}

/** activate / deactivate: read → plan → (diff | write) → wait → report. */
export async function runActivation(direction: Direction, options: ActivationOptions, context: CommandContext): Promise<ExitCode> {
  const { timeoutMs } = validate(options);
  const colors = palette(context.color);
  const progress = await createProgress(context);
  const { client, context: kube } = await context.cluster();
  const selection: NamespaceSelection = options.allNamespaces ? { all: true } : { all: false, names: [options.namespace || kube.namespace] };
  const where = selection.all ? 'all namespaces' : `namespace ${selection.names.join(', ')}`;

  const reading = progress.start(`Reading ${where} on context ${kube.contextName}`);
  const snapshot = await within(reading, `Could not read ${where} on context ${kube.contextName}`, () =>
    collectSnapshot(client, { namespaces: selection, labelSelector: options.selector }),
  );
  reading.succeed(`Read ${snapshot.workloads.length} workloads and ${snapshot.schedules.length} MigrationSchedules (${where}, context ${kube.contextName})`);
  const warnings = [...snapshot.warnings];
  if (!snapshot.storkInstalled) warnings.push('Stork CRDs are not installed on this cluster: no MigrationSchedule is updated');

  const plan = planActivation(snapshot, { direction, namespaces: selection, force: options.force ?? false });
  const refused = plan.scope.find((entry) => entry.explicit && !entry.included);
  if (refused) {
    throw new UsageError(`refusing to deactivate namespace "${refused.namespace}": ${refused.reason}; pass --force to deactivate it anyway`);
  }

  let results: ObjectResult[];
  if (options.dryRun === 'client') {
    results = plan.objects.map(predictResult);
  } else {
    const writes = plan.objects.filter((objectPlan) => objectPlan.action === 'change').length;
    const verbing = options.dryRun === 'server' ? 'Sending server-side dry runs' : direction === 'activate' ? 'Activating' : 'Deactivating';
    const writing = progress.start(`${verbing}: 0/${writes}`);
    let done = 0;
    results = await within(writing, `${verbing} failed`, () =>
      applyPlans(client, snapshot.resources, plan.objects, {
        serverDryRun: options.dryRun === 'server',
        concurrency: options.concurrency,
        replan: (object, previous) => planObject(object, previous.resourceKey, direction, snapshot.registeredKinds),
        onResult: (result) => {
          if (result.plan.action === 'change' || result.outcome === 'changed') writing.update(`${verbing}: ${++done}/${writes}`);
        },
      }),
    );
    const failed = results.filter((result) => result.outcome === 'failed').length;
    const written = options.dryRun === 'server' ? 'accepted by the server' : 'written';
    const text = `${verbing}: ${results.filter((result) => result.outcome === 'changed').length}/${writes} ${written}${failed > 0 ? `, ${failed} failed` : ''}`;
    if (failed > 0) writing.fail(text);
    else writing.succeed(text);
  }

  let waitResult: WaitResult | undefined;
  if (options.dryRun === 'none' && options.wait) {
    const targets = results
      .filter((result) => (result.outcome === 'changed' || result.outcome === 'unchanged') && result.plan.readiness === 'replicas')
      .filter((result) => direction === 'activate' || result.outcome === 'changed')
      .map((result) => ({ ref: result.plan.ref, resourceKey: result.plan.resourceKey }));
    if (targets.length > 0) {
      const word = direction === 'activate' ? 'ready' : 'scaled down';
      const waiting = progress.start(`Waiting: 0/${targets.length} ${word}`);
      waitResult = await within(waiting, 'Waiting failed', () =>
        waitForWorkloads(client, snapshot.resources, targets, {
          direction,
          timeoutMs,
          clock: context.clock,
          onProgress: (ready, total) => waiting.update(`Waiting: ${ready}/${total} ${word}`),
        }),
      );
      const text = `${waitResult.done}/${waitResult.total} ${word} after ${(waitResult.elapsedMs / 1000).toFixed(1)}s`;
      if (waitResult.timedOut) waiting.fail(`${text}: timed out (--timeout ${options.timeout})`);
      else waiting.succeed(text);
    }
  }

  const report = buildReport({ verb: direction, context: kube.contextName, dryRun: options.dryRun, scope: plan.scope, results, wait: waitResult, warnings });
  for (const warning of warnings) context.streams.stderr.write(`warning: ${warning}\n`);
  if (options.output !== 'table') {
    context.streams.stdout.write(await serialize(report, options.output));
  } else {
    context.streams.stdout.write(await renderDryRunDiffs(results, options.dryRun, colors));
    context.streams.stdout.write(renderActivationTable(report, colors, options.verbose));
  }
  return reportSucceeded(report) ? ExitCode.Success : ExitCode.OperationFailed;
}
