/** The error a call ends with when no deployment answered it. */
import { isProviderError, isProviderErrorOfKind, type ProviderErrorKind } from '@x/provider-core';
import { unsupportedByServer } from './classify';
import type { Deployment } from './deployment';
import { isRetryable, shapeOf } from './error-shape';
import { RouterError } from './errors';
import { foreignRetryAfterMs, providerErrorRetryAfterMs } from './foreign-retry-after';
import type { Plan } from './plan';
import { providerKindOf } from './thrown-value';
import type { RouteAttempt, SkipReason } from './types';

/** Deployments passed over for good: a retry of the same request would pass them over again. */
const NEVER_FOR_THIS_REQUEST: ReadonlySet<SkipReason> = new Set([
  'unsupported',
  'window-too-small',
]);

const forAWhile = (a: RouteAttempt) =>
  a.skipped !== undefined && !NEVER_FOR_THIS_REQUEST.has(a.skipped);

/**
 * The error of a call when no deployment answered: a `RouterError` listing every attempt, or,
 * when every deployment called said the model is missing, or that it cannot take the request
 * (its server's version), that error as its provider raised it.
 */
export function allFailed(plan: Plan, byId: ReadonlyMap<string, Deployment>): unknown {
  const missing =
    sameEverywhere(plan, (e) => isProviderErrorOfKind(e, 'model-not-found')) ??
    sameEverywhere(plan, unsupportedByServer);
  if (missing !== undefined) return missing;
  const attempts = plan.attempts;
  const last = plan.errors.at(-1);
  // The kind of the last call that failed, wherever the draw put the deployments passed over;
  // theirs (`circuit-open`) only when no call was made.
  const kind: ProviderErrorKind =
    attempts.findLast((a) => a.skipped === undefined && a.error.kind !== undefined)?.error.kind ??
    attempts.findLast((a) => a.error.kind !== undefined)?.error.kind ??
    providerKindOf(last) ??
    shapeOf(last)?.kind ??
    'api';
  // A deployment passed over for a while (cooling, busy...) may answer a retry; one without the
  // method or the window for this request never will.
  const retryable = plan.errors.some(isRetryable) || attempts.some(forAWhile);
  return new RouterError({
    group: plan.group,
    attempts,
    errors: plan.errors,
    kind,
    retryable,
    retryAfterMs: retryAfterMs(plan, byId, performance.now()),
  });
}

/**
 * The last error, when every call made failed with one such error and no deployment was passed
 * over for a while (one cooling down may have the model, or a newer server): `model-not-found`,
 * the model is missing wherever the call could go; `unsupportedBy: 'server'`, no server it could
 * go to takes the request (a field their versions would drop). The caller gets what one provider
 * would have raised (`isModelNotFoundError`, `isServerTooOldError` read it; a `RouterError`
 * carries no provider's brand).
 */
function sameEverywhere(plan: Plan, is: (error: unknown) => boolean): unknown {
  const errors = plan.errors;
  if (errors.length === 0) return undefined;
  if (!errors.every(is)) return undefined;
  return plan.attempts.some(forAWhile) ? undefined : errors.at(-1);
}

/**
 * How long until a retry could find a deployment back: over the deployments a retry could go to,
 * the soonest of the times each could answer again (see {@link waitOf}). None when one of them
 * could answer at once, or when no deployment can tell.
 */
function retryAfterMs(
  plan: Plan,
  byId: ReadonlyMap<string, Deployment>,
  now: number,
): number | undefined {
  let soonest: number | undefined;
  let failure = 0;
  for (const a of plan.attempts) {
    const error = a.skipped === undefined ? plan.errors[failure++] : undefined;
    const wait = waitOf(a, error, byId.get(a.deployment)!, now);
    if (wait !== undefined) soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  return soonest !== undefined && soonest > 0 ? soonest : undefined;
}

/**
 * When `d` could answer a retry, in ms from now: the end of its cooldown (met by the call or
 * started by its failures), of a Retry-After it was given (with `cooldown: false` that starts no
 * cooldown), of another instance's probe claim, or of its open breaker. `undefined` for a
 * deployment a retry cannot reach (a failure that is not retryable, a method it lacks) and for one
 * whose wait nobody knows (its probe in flight here, a breaker that does not say): neither may
 * stand for "at once".
 */
function waitOf(a: RouteAttempt, error: unknown, d: Deployment, now: number): number | undefined {
  if (a.skipped !== undefined && NEVER_FOR_THIS_REQUEST.has(a.skipped)) return undefined;
  if (a.skipped === undefined && !isRetryable(error)) return undefined;
  if (a.skipped === 'breaker-open') return d.breakerRetryAfterMs();
  let wait = d.health.retryInMs(now);
  // A provider error's own, else one read along its cause chain (a wrapped provider error's too).
  const asked = isProviderError(error)
    ? providerErrorRetryAfterMs(error)
    : foreignRetryAfterMs(error);
  if (asked !== undefined && (wait === undefined || asked > wait)) {
    wait = asked;
  }
  return wait;
}
