import { madeBefore } from '../http/metadata-wait';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { ResolvedTimeouts } from '../options';
import type { Runtime } from '../runtime';
import { admit } from '../stages/admit';
import type { Prepared } from '../stages/context';
import { takeSlot } from '../stages/slot';
import { headersFor } from './call-request';
import type { KeyedHeaders } from './key-wait';

/** What a fresh call sends, decided once for all its attempts. */
export interface SendPlan {
  prepared: Prepared;
  body: string;
  headers: Record<string, string>;
  /** Scrubs the secrets this call carried (its own key included) from server text. */
  redact: (text: string) => string;
  /** The bound of each wait between two chunks of the answer ({@link idleBound}). */
  idleMs: number | undefined;
  /** When `getApiKey()` was called, if it was: the first attempt's first-token clock starts there. */
  keyAskedAt: number | undefined;
  /**
   * Gives back the call's concurrency slot (`maxConcurrent`): called once the exchange ended,
   * however it ended. Idempotent; a no-op without a concurrency limit.
   */
  release: () => void;
}

/**
 * The stages before the first attempt, in order: tokens and context window, rate limit, the
 * concurrency slot, the request body, then the headers (a key callback runs last, so a fresh key
 * is used at once). The slot is held from here: the caller releases it through the plan.
 *
 * The plan itself when no stage waits (the common case: window known, limiter admitting at once,
 * no slot to wait for, a fixed key), a promise of it otherwise; it may throw. Not an `async`
 * function: that would cost every call a promise, a frame and a hop for stages that rarely wait.
 */
export function planSend<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  stream: boolean,
  accept: string,
): SendPlan | Promise<SendPlan> {
  const pending = rt.context.prepare(op, request, signal, rt.limit?.tokensCapacity !== undefined);
  const steps: PlanSteps<Request, Response> = { rt, op, request, signal, stream, accept };
  return pending instanceof Promise
    ? pending.then(
        (prepared) => admitted(steps, prepared),
        (error: unknown) => {
          // A lookup of the context window planner (a model's details) failed: its deadline says
          // the request it was made for was never sent.
          throw madeBefore(rt.kit, error, `POST ${rt.basePath}${op.endpoint}`);
        },
      )
    : admitted(steps, pending);
}

/** What the stages of {@link planSend} read. */
interface PlanSteps<Request extends CoreRequest, Response extends CoreResponse> {
  rt: Runtime;
  op: Operation<Request, Response>;
  request: Request;
  signal: AbortSignal | undefined;
  stream: boolean;
  accept: string;
}

/** The rate limit, then the slot. */
function admitted<Request extends CoreRequest, Response extends CoreResponse>(
  steps: PlanSteps<Request, Response>,
  prepared: Prepared,
): SendPlan | Promise<SendPlan> {
  const { rt, op, request, signal } = steps;
  const wait = admit(rt.limit, rt.stats, prepared, signal, op.model(request));
  return wait === undefined
    ? withSlot(steps, prepared)
    : wait.then(() => withSlot(steps, prepared));
}

/** The concurrency slot, then what is sent. */
function withSlot<Request extends CoreRequest, Response extends CoreResponse>(
  steps: PlanSteps<Request, Response>,
  prepared: Prepared,
): SendPlan | Promise<SendPlan> {
  const slot = takeSlot(steps.rt.concurrency, steps.signal);
  return slot instanceof Promise
    ? slot.then((release) => sent(steps, prepared, release))
    : sent(steps, prepared, slot);
}

/** The body and the headers; the slot is given back if either fails. */
function sent<Request extends CoreRequest, Response extends CoreResponse>(
  steps: PlanSteps<Request, Response>,
  prepared: Prepared,
  release: () => void,
): SendPlan | Promise<SendPlan> {
  const { rt, op, request, signal } = steps;
  try {
    const payload = op.body(request, steps.stream, prepared);
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const pendingHeaders = headersFor(rt, steps.accept, signal);
    if (!(pendingHeaders instanceof Promise)) {
      return planOf(steps, prepared, body, pendingHeaders, release);
    }
    return pendingHeaders.then(
      (headers) => {
        try {
          return planOf(steps, prepared, body, headers, release);
        } catch (error) {
          release();
          throw error;
        }
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  } catch (error) {
    release();
    throw error;
  }
}

function planOf<Request extends CoreRequest, Response extends CoreResponse>(
  steps: PlanSteps<Request, Response>,
  prepared: Prepared,
  body: string,
  { headers, key, askedAt }: KeyedHeaders,
  release: () => void,
): SendPlan {
  const { rt, op } = steps;
  return {
    prepared,
    body,
    headers,
    redact: rt.redactor.redactFor(key, op.endpoint),
    idleMs: idleBound(rt.timeouts, op, steps.request),
    keyAskedAt: askedAt,
    release,
  };
}

/**
 * The bound of each wait between two chunks of `request`'s answer: `timeouts.idleMs`, or, when the
 * server sends the request's tool calls whole (`Operation.sendsToolCallsWhole`), the larger of it
 * and `timeouts.firstTokenMs`: the model is then working with nothing to send, as before its
 * first token, and a tool call is never given less time than the first token is. A deadline that
 * is off bounds nothing, so with either off there is no bound.
 */
function idleBound<Request extends CoreRequest, Response extends CoreResponse>(
  timeouts: ResolvedTimeouts,
  op: Operation<Request, Response>,
  request: Request,
): number | undefined {
  const { idleMs, firstTokenMs } = timeouts;
  if (idleMs === undefined || op.sendsToolCallsWhole?.(request) !== true) return idleMs;
  return firstTokenMs === undefined ? undefined : Math.max(idleMs, firstTokenMs);
}
