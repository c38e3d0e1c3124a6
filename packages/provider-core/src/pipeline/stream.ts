import type { Accumulator } from '../decode/accumulator';
import type { Framing, StreamDecoder, WireMessage } from '../decode/decoder';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { streamAttempt } from '../http/attempt';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { Runtime } from '../runtime';
import { admit } from '../stages/admit';
import { streamThroughBreaker } from '../stages/breaker-gate';
import { type CachedAnswer, fromCache, recorded, replayChunks } from '../stages/cache';
import { beginCall } from '../stages/call-scope';
import type { Prepared } from '../stages/context';
import { withRetries } from '../stages/retry';
import type { StreamChunk } from '../types';
import { readmitter } from './buffered';
import { failed, succeeded } from './outcome';
import { attemptInit, headersFor, signalsOf, withPartial } from './shared';

/** How a streamed operation is framed and accepted. */
export interface StreamFormat {
  framing: Framing;
  /** The `accept` header of a streamed request. */
  accept: string;
}

/** A stream opened by one attempt: the chunks already decoded and what is left to read. */
interface OpenedStream<Response> {
  attempt: number;
  accumulator: Accumulator<StreamChunk<Response>, Response>;
  decoder: StreamDecoder;
  body: AsyncGenerator<Uint8Array, void, undefined>;
  /** Decoded, not yet handed to the caller. */
  pending: StreamChunk<Response>[];
  /** A failure decoded from the same read as `pending`: thrown once they reached the caller. */
  failure: unknown;
  /** The body ended (or the answer is complete). */
  ended: boolean;
  /** When this attempt was sent: the first-token time counts from here. */
  sentAt: number;
  firstTokenMs: number | undefined;
}

function decoderFor(framing: Framing, maxBytes: number): StreamDecoder {
  return framing === 'sse' ? new SseDecoder(maxBytes) : new NdjsonDecoder(maxBytes);
}

/**
 * Reads the body until something reaches the caller's hands (or the answer ends). Chunks decoded
 * from the same read as an error still reach the caller first, so the error's partial answer
 * matches what the caller saw.
 */
async function fill<Response>(
  opened: OpenedStream<Response>,
  onFirstToken: (ms: number) => void,
): Promise<void> {
  const { accumulator, decoder } = opened;
  const onMessage = (message: WireMessage) => {
    const chunk = accumulator.add(message);
    if (chunk !== undefined) opened.pending.push(chunk);
  };
  while (opened.pending.length === 0 && opened.failure === undefined && !opened.ended) {
    // The answer is complete: what follows (more lines, an error, a connection left open) is
    // not read.
    if (accumulator.done) {
      opened.ended = true;
      break;
    }
    const next = await opened.body.next();
    if (next.done === true) {
      decoder.end(onMessage);
      opened.ended = true;
      break;
    }
    try {
      decoder.push(next.value, onMessage);
    } catch (error) {
      opened.failure = error;
    }
    if (opened.firstTokenMs === undefined && accumulator.chunks > 0) {
      opened.firstTokenMs = performance.now() - opened.sentAt;
      onFirstToken(opened.firstTokenMs);
    }
  }
}

/**
 * A streamed call through the whole request path. Retries happen only while opening: until the
 * first chunk reached the caller. Leaving the loop early aborts the request and frees the socket.
 * A cached answer is replayed as a stream.
 */
export async function* stream<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  format: StreamFormat,
  request: Request,
): AsyncGenerator<StreamChunk<Response>, void, undefined> {
  if (rt.closed) throw rt.kit.closed();
  const scope = beginCall({
    stats: rt.stats,
    budget: rt.retry.budget,
    kit: rt.kit,
    totalMs: rt.timeouts.totalMs,
    callerSignal: request.signal,
  });
  rt.stats.streams++;
  const { signal, started } = scope;
  const model = op.model(request);
  let outcome: 'success' | 'failure' | 'cancelled' = 'cancelled';
  try {
    const plan = rt.cache.plan(op, request, request.cache);
    if (plan.use === 'read-through') {
      const hit = await rt.cache.lookup<Response>(plan.key, signal);
      if (hit !== undefined) {
        rt.cache.hit(model);
        const response = fromCache(hit.response, performance.now() - started);
        for (const chunk of replayChunks(hit)) {
          // A replay has no socket to abort: the caller's signal is checked chunk by chunk.
          if (signal?.aborted) throw signal.reason;
          yield chunk;
        }
        if (signal?.aborted) throw signal.reason;
        succeeded(rt, response, model, started);
        outcome = 'success';
        yield finalChunk(response);
        return;
      }
    }
    const record: CachedAnswer<Response>['chunks'] = plan.use === 'none' ? undefined : [];
    const pending = rt.context.prepare(op, request, signal, rt.limit?.tokensCapacity !== undefined);
    const prepared: Prepared = pending instanceof Promise ? await pending : pending;
    await admit(rt.limit, rt.stats, prepared, signal);
    const body = JSON.stringify(op.body(request, true, prepared));
    const pendingHeaders = headersFor(rt, format.accept, signal);
    const { headers, key } =
      pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
    const redact = rt.redactor.redactFor(key);
    const opened = await withRetries(
      rt.retry,
      { endpoint: op.endpoint, model, signal, readmit: readmitter(rt) },
      async (attempt): Promise<OpenedStream<Response>> => {
        const accumulator = op.accumulator(redact);
        const state: OpenedStream<Response> = {
          attempt,
          accumulator,
          decoder: decoderFor(format.framing, rt.maxBytes),
          body: streamThroughBreaker(rt.breaker, signal, (breakerSignal) =>
            streamAttempt(
              attemptInit(rt, {
                endpoint: op.endpoint,
                method: 'POST',
                headers,
                body,
                model,
                stream: true,
                signals: signalsOf(signal, breakerSignal),
                redact,
              }),
            ),
          ),
          pending: [],
          failure: undefined,
          ended: false,
          sentAt: performance.now(),
          firstTokenMs: undefined,
        };
        try {
          await fill(state, (ms) => rt.stats.firstToken.record(ms));
          // Nothing reached the caller yet: a failure here may still be retried.
          if (state.pending.length === 0 && state.failure !== undefined) throw state.failure;
          return state;
        } catch (error) {
          await state.body.return(undefined).catch(() => {});
          throw withPartial(rt, error, op.endpoint, accumulator);
        }
      },
    );
    const { accumulator } = opened;
    try {
      for (;;) {
        while (opened.pending.length > 0) {
          // Chunks decoded from one read outlive an abort that came while the caller held the
          // first of them: nothing more reaches a caller who aborted.
          if (signal?.aborted) throw signal.reason;
          const item = opened.pending.shift()!;
          record?.push(recorded(item));
          yield item;
        }
        if (opened.failure !== undefined) throw opened.failure;
        if (opened.ended) break;
        await fill(opened, (ms) => rt.stats.firstToken.record(ms));
      }
      if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
    } catch (error) {
      throw withPartial(rt, error, op.endpoint, accumulator);
    } finally {
      // Releases the socket (and the breaker's call) if the body was not read to its end.
      await opened.body.return(undefined).catch(() => {});
    }
    const response = accumulator.build();
    response.attempts = opened.attempt;
    response.timings.latencyMs = performance.now() - started;
    response.timings.queueWaitMs = prepared.queueWaitMs;
    response.timings.firstTokenMs = opened.firstTokenMs;
    rt.usage.reconcile(op, request, prepared, response);
    op.finish?.(response, prepared, request);
    if (record !== undefined && plan.use !== 'none') {
      rt.cache.store(plan.key, { response, chunks: record });
    }
    succeeded(rt, response, model, started);
    outcome = 'success';
    yield finalChunk(response);
  } catch (error) {
    outcome = 'failure';
    failed(rt, error, model, op.endpoint);
    throw error;
  } finally {
    scope.end();
    if (outcome === 'cancelled') rt.stats.cancelled++;
  }
}

function finalChunk<Response>(response: Response): StreamChunk<Response> {
  return { content: '', thinking: undefined, toolCalls: undefined, done: true, response };
}
