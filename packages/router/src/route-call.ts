import { closestKey, messageParts, UNKNOWN_KEY_LEAD, unknownKeyError } from '@x/internal';
import { allFailed } from './all-failed';
import { classify, describeError, type Verdict } from './classify';
import type { Deployment, Operation } from './deployment';
import { fieldKind, fieldsToDrop } from './drop-fields';
import { dropFieldsHint } from './drop-fields-hint';
import { isTokenIds } from './embed-input';
import { isRouterClosedError } from './errors';
import type { RouterResponseEvent } from './events';
import { Plan } from './plan';
import type { RouterRuntime } from './runtime';
import { isInstanceSafe } from './thrown-value';
import type { RouteInfo } from './types';
import { requestedWindow } from './window-lookup';

/** A request as the router receives it: the provider's request plus `tags`. */
export interface IncomingRequest {
  model: string;
  signal?: AbortSignal | undefined;
  tags?: readonly string[] | undefined;
  [field: string]: unknown;
}

/** The request keys the router reads itself; `forDeployment` keeps them from the providers. */
const ROUTER_KEYS = ['tags'] as const;

/**
 * A provider's unknown-key error for a top-level key of the request (``Unknown option
 * `request.tag` ``), re-raised naming the router's own key when that is the closest one
 * (``did you mean `request.tags`?``): the provider knows its keys, not the router's. Any other
 * error is returned as is. Runs only on that error, never on a call's way.
 */
export function routerKeyHint(error: unknown): unknown {
  if (!isInstanceSafe(error, TypeError)) return error;
  const parts = messageParts(error);
  if (parts === undefined || parts[0] !== UNKNOWN_KEY_LEAD) return error;
  const path = parts[1];
  if (path === undefined || !/^request\.[^.[]+$/.test(path)) return error;
  const key = path.slice('request.'.length);
  // The provider's own guess, when it had one, competes with the router's keys.
  const guess = parts.length === 5 ? parts[3] : undefined;
  const theirs =
    typeof guess === 'string' && guess.startsWith('request.')
      ? [guess.slice('request.'.length)]
      : [];
  const near = closestKey(key, [...theirs, ...ROUTER_KEYS]);
  if (near === undefined || near === key || theirs.includes(near)) return error;
  return unknownKeyError('request', key, [near]);
}

/**
 * The request one deployment receives: the group replaced by its model, `tags` removed, and the
 * fields in `dropped` (`dropUnknownFields`, rarely any) left out.
 */
export function forDeployment(
  request: IncomingRequest,
  d: Deployment,
  dropped?: readonly string[],
): Record<string, unknown> {
  if (dropped === undefined) {
    const { tags: _tags, ...rest } = request;
    rest.model = d.model;
    return rest;
  }
  // Built key by key rather than spread then deleted from: a deleted key slows every later read.
  const kept: Record<string, unknown> = {};
  for (const key in request) {
    if (!Object.hasOwn(request, key) || key === 'tags' || dropped.includes(key)) continue;
    kept[key] = key === 'model' ? d.model : request[key];
  }
  return kept;
}

/** A failure a call moves on from. */
export interface Moved {
  from: Deployment;
  /** Why it moved on (a `fatal` verdict ends the call instead). */
  verdict: Exclude<Verdict, 'fatal'>;
  /** Its index in the plan's attempts. */
  attempt: number;
}

/**
 * A call that ends without an answer: one the caller aborted, or the router's own `close()` or
 * `destroy()` ended (`RouterClosedError`), counts as `cancelled` (no `error` event, no failure of
 * the call or its group), any other failed.
 */
export function callEnded(
  rt: RouterRuntime,
  op: Operation,
  plan: Plan,
  error: unknown,
  signal: AbortSignal | undefined,
): void {
  if (signal?.aborted === true || isRouterClosedError(error)) rt.counters.cancelled++;
  else callFailed(rt, op, plan, error);
}

/** Emits `error` and counts a failed call. */
export function callFailed(rt: RouterRuntime, op: Operation, plan: Plan, error: unknown): void {
  const { code, name, message } = describeError(error);
  rt.counters.failed(code);
  rt.counters.group(plan.group).failures++;
  if (rt.topics.error.active) {
    rt.topics.error.emit({
      operation: op,
      group: plan.group,
      code,
      name,
      message,
      calls: plan.calls,
    });
  }
}

/** Emits `response` and counts an answered call. */
export function callAnswered(
  rt: RouterRuntime,
  op: Operation,
  route: RouteInfo,
  latencyMs: number,
): void {
  rt.counters.successes++;
  rt.counters.group(route.group).successes++;
  if (rt.topics.response.active) {
    const event: RouterResponseEvent = {
      operation: op,
      group: route.group,
      deployment: route.deployment,
      servedBy: route.servedBy,
      fallbacks: route.attempts.length,
      latencyMs,
    };
    if (route.droppedFields !== undefined) event.droppedFields = route.droppedFields;
    rt.topics.response.emit(event);
  }
}

/**
 * One buffered call (`complete`, `embed`): deployments in the plan's order until one answers; a
 * failure that is the caller's own (see `classify`) ends the call at once with that error.
 */
export async function routeCall<R extends object>(
  rt: RouterRuntime,
  op: 'complete' | 'embed',
  group: string,
  request: IncomingRequest,
): Promise<R & { route: RouteInfo }> {
  const signal = request.signal;
  // A call accepted before close() ends its current attempt before close() goes on.
  rt.assertOpen();
  const tokenIds = op === 'embed' && isTokenIds(request.input);
  const plan = new Plan(rt, group, op, request.tags, tokenIds, requestedWindow(request));
  const kind = fieldKind(op);
  const known = rt.knownFields.get(group);
  const started = performance.now();
  rt.counters.requests++;
  rt.counters.group(group).requests++;
  if (op === 'embed') rt.counters.embeddings++;
  rt.callStarted();
  /** The failure the call moves on from, reported once the next deployment is known. */
  let moved: Moved | undefined;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      // after close(), the attempt in flight ends the call: no other is started
      rt.assertOpen();
      const candidate = plan.next(performance.now());
      if (candidate === undefined) throw allFailed(plan, rt.byId);
      // Takes the deployment's in-flight slot; after an await, checks the caller and close().
      const entered = rt.enter(plan, candidate, signal);
      if (entered !== true && !(await entered)) continue;
      if (moved !== undefined) rt.fellBack(plan, op, moved);
      moved = undefined;
      const d = candidate.deployment;
      const t0 = performance.now();
      plan.calls++;
      d.calls++;
      const dropped = fieldsToDrop(request, d, kind, known);
      try {
        const call = d.provider[op] as (request: unknown) => Promise<R>;
        // Through the router's waits: destroy() or the caller's abort ends the call even when its
        // provider never settles.
        const response = await rt.waits.until(
          call.call(d.provider, forDeployment(request, d, dropped)),
          signal,
        );
        const now = performance.now();
        rt.measured(d, op, now - t0);
        rt.succeeded(candidate);
        const route = plan.route(d, dropped);
        callAnswered(rt, op, route, now - started);
        return { ...response, route };
      } catch (error) {
        const closed = rt.shutdownError(error, d, candidate.probe);
        if (closed !== undefined) throw closed;
        const verdict = classify(error, signal);
        rt.failed(d, op, error, verdict, candidate.probe, signal?.aborted === true);
        // The caller's abort rejects with its reason, whatever the provider made of it.
        if (verdict === 'fatal') {
          throw signal?.aborted
            ? signal.reason
            : (dropFieldsHint(error, rt, plan.group, d, kind) ?? routerKeyHint(error));
        }
        plan.failed(d, error, performance.now() - t0);
        if (verdict === 'context') plan.overflowed(d, error);
        moved = { from: d, verdict: verdict, attempt: plan.attempts.length - 1 };
      } finally {
        d.inFlight--;
      }
    }
  } catch (error) {
    callEnded(rt, op, plan, error, signal);
    throw error;
  } finally {
    rt.callFinished();
  }
}
