import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { ResolvedTimeouts } from '../options';
import type { Runtime } from '../runtime';
import { admit } from '../stages/admit';
import type { Prepared } from '../stages/context';
import { takeSlot } from '../stages/slot';
import { headersFor } from './shared';

/** What a fresh call sends, decided once for all its attempts. */
export interface SendPlan {
  prepared: Prepared;
  body: string;
  headers: Record<string, string>;
  /** Scrubs the secrets this call carried (its own key included) from server text. */
  redact: (text: string) => string;
  /** The bound of each wait between two chunks of the answer ({@link idleBound}). */
  idleMs: number | undefined;
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
 */
export async function planSend<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  stream: boolean,
  accept: string,
): Promise<SendPlan> {
  const pending = rt.context.prepare(op, request, signal, rt.limit?.tokensCapacity !== undefined);
  const prepared = pending instanceof Promise ? await pending : pending;
  const admitted = admit(rt.limit, rt.stats, prepared, signal, op.model(request));
  if (admitted !== undefined) await admitted;
  const slot = takeSlot(rt.concurrency, signal);
  const release = slot instanceof Promise ? await slot : slot;
  try {
    const payload = op.body(request, stream, prepared);
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const pendingHeaders = headersFor(rt, accept, signal);
    const { headers, key } =
      pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
    return {
      prepared,
      body,
      headers,
      redact: rt.redactor.redactFor(key, op.endpoint),
      idleMs: idleBound(rt.timeouts, op, request),
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
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
