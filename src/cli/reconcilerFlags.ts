import type { Argv } from 'yargs';
import { UsageError } from '../core/errors';
import { lastWins, parseDurationFlag } from './flags';

/**
 * The flags about other controllers that own spec.replicas (Argo CD, Flux, KEDA): `--hold` for
 * every verb that scales, `--pause-reconcilers` / `--ignore-reconcilers` for those that scale a
 * source down (deactivate; run and failback).
 */
/** --hold's default: long enough for Argo CD's self-heal, Flux's and KEDA's loops to show. */
export const DEFAULT_HOLD = '10s';
/** Where a site (or a test sandbox) sets another default for --hold. */
export const HOLD_ENV = 'KUBECTL_FAILOVER_HOLD';

export function withHoldFlag<T>(yargs: Argv<T>) {
  return yargs.option('hold', {
    requiresArg: true,
    type: 'string',
    coerce: lastWins,
    describe: `After the writes, wait this long, then re-read them: one whose replicas someone set back (Argo CD, Flux, KEDA…) fails the command, naming who; 0 skips (default ${DEFAULT_HOLD}, or $${HOLD_ENV})`,
  });
}

export function withReconcilerFlags<T>(yargs: Argv<T>) {
  return withHoldFlag(yargs)
    .option('pause-reconcilers', {
      type: 'boolean',
      default: false,
      describe: 'Pause what would scale the apps back up (Argo CD automated sync, Flux Kustomizations and HelmReleases, KEDA ScaledObjects) before scaling down',
    })
    .option('ignore-reconcilers', { type: 'boolean', default: false, describe: 'Scale down although a reconciler would scale the apps back up (the hold check tells)' });
}

export interface ReconcilerFlags {
  hold?: string | undefined;
  'pause-reconcilers'?: boolean;
  'ignore-reconcilers'?: boolean;
}

export interface ReconcilerOptions {
  /** --hold in milliseconds (0: no hold check); undefined: the default, see holdMsOf. */
  holdMs?: number | undefined;
  pause: boolean;
  ignore: boolean;
}

export function reconcilerOptionsFrom(flags: ReconcilerFlags): ReconcilerOptions {
  const pause = flags['pause-reconcilers'] === true;
  const ignore = flags['ignore-reconcilers'] === true;
  if (pause && ignore) throw new UsageError('--pause-reconcilers and --ignore-reconcilers cannot be combined: pause them, or go ahead without');
  return { ...(flags.hold !== undefined ? { holdMs: parseDurationFlag('--hold', flags.hold) } : {}), pause, ignore };
}

/** The hold to use: --hold, else $KUBECTL_FAILOVER_HOLD, else 10s (read where the command runs: its env). */
export function holdMsOf(options: ReconcilerOptions, env: NodeJS.ProcessEnv): number {
  if (options.holdMs !== undefined) return options.holdMs;
  const fromEnv = env[HOLD_ENV];
  return parseDurationFlag(`$${HOLD_ENV}`, fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_HOLD);
}
