import type { LeaveHook } from '@x/internal';
import type { LightSignal } from '../light-signal';
import { within } from '../observe/telemetry';
import type { CoreRequest, CoreResponse, Operation, StreamFormat } from '../operation';
import type { Runtime } from '../runtime';
import { CONSUMER_LEFT } from '../stages/breaker-gate';
import { fromCache, recorded, replayChunks } from '../stages/cache';
import type { CallScope } from '../stages/call-scope';
import { withRetries } from '../stages/retry';
import type { StreamChunk } from '../types';
import { withPartial } from './answer-failures';
import { callScope, modelOf } from './call-request';
import { ConsumerWatch } from './consumer-watch';
import { cancelled, ended, finish, succeeded } from './outcome';
import { AnswerReader } from './reader';
import { planSend } from './send-plan';

function finalChunk<Response>(response: Response): StreamChunk<Response> {
  return { content: '', thinking: undefined, toolCalls: undefined, done: true, response };
}

/**
 * A streamed call through the whole request path. Retries happen only while opening: until the
 * first chunk reached the caller. Leaving the loop early aborts the request and frees the socket;
 * so does a caller that stops reading for longer than `timeouts.consumerMs` (a dropped iterator),
 * whose next read then rejects; so does `return()` while a read is pending (`iterator.leave`, see
 * `LeavableIterator`), which settles that read done. A cached answer is replayed as a stream.
 */
export async function* stream<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  format: StreamFormat,
  request: Request,
  onEnd: (() => void) | undefined,
  iterator: LeaveHook,
): AsyncGenerator<StreamChunk<Response>, void, undefined> {
  if (rt.closed) {
    onEnd?.();
    throw rt.kit.closed();
  }
  const model = modelOf(rt, op.model(request));
  const scope: CallScope = callScope(rt, model, request.signal, true);
  rt.stats.streams++;
  const { signal, started } = scope;
  const call = rt.telemetry?.start(op.name, model, request, true);
  // The caller called `return()` while a read was pending: the call's own signal (never `ending`)
  // aborts with the reason every breaker ignores, and the read settles done.
  let left = false;
  const leave = () => {
    left = true;
    (signal as unknown as LightSignal).abort(CONSUMER_LEFT);
  };
  iterator.leave = leave;
  // A stream that ends uncounted (the caller stopped reading) counts as cancelled.
  let counted = false;
  let reader: AnswerReader<Response> | undefined;
  let over = false;
  const endCall = () => {
    if (over) return;
    over = true;
    scope.end();
    onEnd?.();
  };
  // Ends the call for a caller who stopped reading, or whose call ended while it held a chunk
  // (destroy(), its abort, totalMs): the socket, breaker and in-flight slots free at once.
  const watch = new ConsumerWatch(
    rt,
    () => {
      void reader?.release();
      if (!counted) {
        counted = true;
        if (watch.reason === undefined) cancelled(rt, model, call);
        else watch.reason = ended(rt, watch.reason, model, op.endpoint, request.signal, call);
      }
      endCall();
    },
    signal,
  );
  try {
    const plan = rt.cache.plan(op, request, request.cache);
    if (plan.use === 'read-through') {
      // A signal made only for leaving is not handed over: the cache would make it a real one
      // (an `AbortController`, microseconds a call in Node 20) for a lookup that rarely waits.
      const hit = await rt.cache.lookup<Response>(
        plan.key,
        model,
        request.signal === undefined && rt.timeouts.totalMs === undefined ? undefined : signal,
      );
      if (hit !== undefined) {
        rt.cache.hit(model);
        const response = fromCache(hit.response, performance.now() - started);
        for (const chunk of replayChunks(hit)) {
          // A replay has no socket to abort: the caller's signal is checked chunk by chunk.
          if (signal.aborted) throw signal.reason;
          iterator.leave = undefined;
          yield chunk;
          iterator.leave = leave;
        }
        if (signal.aborted) throw signal.reason;
        succeeded(rt, response, model, started, call);
        counted = true;
        iterator.leave = undefined;
        yield finalChunk(response);
        return;
      }
    }
    const record: StreamChunk<Response>[] | undefined = plan.use === 'none' ? undefined : [];
    const send = await within(call, () => planSend(rt, op, request, signal, true, format.accept));
    // The concurrency slot lasts as long as the call: to its end, cancellation or abandonment.
    scope.hold(send.release);
    const opened = await within(call, () =>
      withRetries(
        rt.retry,
        { endpoint: op.endpoint, model, signal, limit: rt.limit },
        async (attempt) => {
          const attemptReader = new AnswerReader<Response>(
            rt,
            attempt,
            op.accumulator(send.redact),
            {
              endpoint: op.endpoint,
              method: 'POST',
              headers: send.headers,
              body: send.body,
              model,
              framing: format.framing,
              accept: format.accept,
              signal,
              callerSignal: request.signal,
              redact: send.redact,
              idleMs: send.idleMs,
              // Only the first attempt's first token counts from the key callback (`keyClock`).
              keyAskedAt: attempt === 1 ? send.keyAskedAt : undefined,
              recordsFirstToken: true,
              echoed: request,
            },
          );
          try {
            await attemptReader.fill();
            // Nothing reached the caller yet: a failure here may still be retried.
            if (attemptReader.pending.length === 0 && attemptReader.failure !== undefined) {
              throw attemptReader.failure;
            }
            return attemptReader;
          } catch (error) {
            await attemptReader.release();
            throw withPartial(
              rt,
              error,
              op.endpoint,
              attemptReader.accumulator,
              send.redact,
              request,
            );
          }
        },
      ),
    );
    reader = opened;
    const { accumulator } = opened;
    try {
      for (;;) {
        while (opened.pending.length > 0) {
          // Chunks decoded from one read outlive an abort that came while the caller held the
          // first of them: nothing more reaches a caller who aborted.
          if (signal.aborted) throw signal.reason;
          const item = opened.pending.shift()!;
          record?.push(item);
          watch.handOver();
          iterator.leave = undefined;
          yield item;
          iterator.leave = leave;
          watch.resumed();
        }
        if (opened.failure !== undefined) throw opened.failure;
        if (opened.ended) break;
        await opened.fill();
      }
      if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
    } catch (error) {
      throw withPartial(rt, error, op.endpoint, accumulator, send.redact, request);
    } finally {
      await opened.release();
      // The exchange is over: the slot frees now, not when the caller asks past the last chunk.
      send.release();
    }
    const response = finish(rt, op, request, send, accumulator.build(), {
      attempt: opened.attempt,
      started,
      firstTokenMs: opened.firstTokenMs,
      streamed: true,
    });
    if (record !== undefined && plan.use !== 'none') {
      rt.cache.store(plan.key, { response, chunks: record.map(recorded) });
    }
    succeeded(rt, response, model, started, call);
    counted = true;
    watch.handOver();
    iterator.leave = undefined;
    yield finalChunk(response);
  } catch (error) {
    // Nothing reaches a caller who left: its pending read ends done, the call counts as cancelled.
    if (left) return;
    if (watch.abandoned) {
      // A consumer timeout carries what was read, as the other deadlines do.
      throw watch.reason === undefined
        ? withPartial(rt, watch.error(), op.endpoint, reader?.accumulator, reader?.redact)
        : watch.error();
    }
    counted = true;
    throw ended(rt, error, model, op.endpoint, request.signal, call);
  } finally {
    iterator.leave = undefined;
    watch.stop();
    if (!watch.abandoned) {
      endCall();
      if (!counted) cancelled(rt, model, call);
    }
  }
}
