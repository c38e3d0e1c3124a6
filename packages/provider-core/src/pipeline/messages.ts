import type { LeaveHook } from '@x/internal';
import type { WireMessage } from '../decode/decoder';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { streamAttempt } from '../http/attempt';
import { CallSignal, releaseSignal } from '../light-signal';
import type { StreamFormat } from '../operation';
import type { Runtime } from '../runtime';
import { CONSUMER_LEFT, streamThroughBreaker } from '../stages/breaker-gate';
import { withRetries } from '../stages/retry';
import { EMPTY_PARTIAL } from '../types';
import { withPartial } from './answer-failures';
import { isWebPage } from './answer-type';
import { attemptInit, type CallRequest } from './call-request';
import { ConsumerWatch } from './consumer-watch';
import { normalizeFailure } from './normalize';
import { type PlainCallInit, plainCall } from './plain-call';
import { Progress } from './progress';
import { WebPage } from './web-page';

/** A streamed exchange of messages outside the answer path (progress of a model download...). */
export interface MessagesInit<T> extends PlainCallInit {
  format: StreamFormat;
  /** Through the circuit breaker (a call that says something about the server's health). */
  breaker: boolean;
  /** Reads one message; throws the provider's typed error for an error message. */
  parse(message: WireMessage, redact: (text: string) => string): T;
  /**
   * True for the message that ends the exchange (a download's `success`): nothing after it is
   * read, as nothing after an answer's last chunk is. Without it, the exchange ends with its body.
   */
  last?: ((message: T) => boolean) | undefined;
  /**
   * Called once when the exchange is over, however it ends, the caller's iterator dropped
   * included (see {@link ProviderCore.stream}'s `onEnd`).
   */
  onEnd?: (() => void) | undefined;
}

/**
 * Messages of a streamed exchange, parsed, with retries and (optionally) the breaker but no cache,
 * tokens or rate limit: model downloads, uploads and creation report their progress this way.
 * Retries happen only until the first message reached the caller; leaving the loop aborts the
 * request, and so does a caller that stops reading for longer than `timeouts.consumerMs` (a
 * dropped iterator), whose next read then rejects, or that calls `return()` while a read is
 * pending (`iterator.leave`, see `LeavableIterator`), which settles that read done. Deadlines:
 * first message and idle, as for answers. `close()` ends it as `destroy()` does (see `signal`
 * below). A web page answered instead (`text/html`: a wrong `baseUrl`) fails it before any line
 * is read, as it fails an answer.
 */
export async function* messages<T>(
  rt: Runtime,
  init: MessagesInit<T>,
  iterator: LeaveHook,
): AsyncGenerator<T, void, undefined> {
  if (rt.closed) {
    init.onEnd?.();
    throw rt.kit.closed();
  }
  const { endpoint, model } = init;
  // Under `closing`, not only `ending`: close() ends a transfer in flight with the closed error, as
  // destroy() does. No deadline ever ends one (every line is progress, and a pull of a large model
  // takes an hour), so a close() that waited for it would never resolve. Ollama keeps the parts
  // downloaded and resumes the pull. A signal of the call's own, which the breaker listens on and
  // a caller who leaves mid-read aborts: `closing` is shared by every transfer.
  const own = new CallSignal(rt.closing, init.signal);
  const signal = own as unknown as AbortSignal;
  // The caller called `return()` while a read was pending (from the first one on: the headers may
  // take a while, a `getApiKey` that asks a vault): the exchange is aborted (the breaker, which
  // listens on this signal, ignores it) and the read settles done.
  let left = false;
  const leave = () => {
    left = true;
    own.abort(CONSUMER_LEFT);
  };
  iterator.leave = leave;
  let call: CallRequest;
  try {
    call = await plainCall(rt, init, init.format.accept, signal);
  } catch (error) {
    iterator.leave = undefined;
    releaseSignal(signal);
    init.onEnd?.();
    if (left) return;
    throw error;
  }
  const { redact } = call;
  // A web page answered instead of the messages (a web UI or a proxy's login page at `baseUrl`):
  // its start is kept for the error, and no line of it is read.
  let page: WebPage | undefined;
  const onContentType = (contentType: string | undefined): void => {
    if (isWebPage(contentType)) page = new WebPage(contentType!);
  };
  const open = (breakerSignal: AbortSignal | undefined) =>
    streamAttempt(attemptInit(rt, call, true, breakerSignal), undefined, onContentType);
  // The breaker is told of the close() that ends the exchange as of a caller's abort (ignored): a
  // breaker the provider was given knows only of destroy() (`givenBreakerGate`).
  const breakerSignal = init.breaker ? own.toAbortSignal() : undefined;
  const pending: T[] = [];
  let failure: unknown;
  let ended = false;
  const decoder =
    init.format.framing === 'sse' ? new SseDecoder(rt.maxBytes) : new NdjsonDecoder(rt.maxBytes);
  // Message-level deadlines, as for answers: bytes that complete no message (a trickle of
  // whitespace, blank lines) are not progress, though they keep the byte-level idle deadline quiet.
  const read = { progress: 0, chunks: 0, partial: () => EMPTY_PARTIAL };
  let progress = new Progress(rt, call.idleMs);
  const { last } = init;
  const onMessage = (message: WireMessage) => {
    if (ended) return;
    const parsed = init.parse(message, redact);
    pending.push(parsed);
    // Every message is progress, the same one again included: Ollama repeats a transfer's line
    // every 60 ms while it retries a stalled part on its own, for a minute or more, and that
    // is a live server (a caller bounds a transfer with its `signal`).
    read.progress++;
    if (last?.(parsed) === true) ended = true;
  };
  let source: AsyncGenerator<Uint8Array, void, undefined> | undefined;
  let over = false;
  const endCall = () => {
    if (over) return;
    over = true;
    releaseSignal(signal);
    init.onEnd?.();
  };
  // Ends the exchange for a caller who stopped reading, or whose call ended while it held a
  // message (destroy(), its abort): its socket (and breaker probe slot) free at once.
  const watch = new ConsumerWatch(
    rt,
    () => {
      void source?.return(undefined).catch(() => {});
      endCall();
    },
    signal,
  );
  const fill = async (body: AsyncGenerator<Uint8Array, void, undefined>) => {
    // The time the caller held what was read is not the server's.
    progress.resume();
    while (pending.length === 0 && failure === undefined && !ended) {
      const next = await body.next();
      try {
        if (page !== undefined) {
          // Once enough is kept, the loop ends and the exchange is cut: a page may never end.
          if (next.done === true || page.keep(next.value)) {
            failure = page.error(rt, endpoint, init.format.accept, redact);
          }
        } else if (next.done === true) {
          decoder.end(onMessage);
          // An exchange that has a last message ended without it: cut short, not done.
          if (!ended && last !== undefined) throw rt.kit.incomplete({ partial: EMPTY_PARTIAL });
          ended = true;
        } else {
          decoder.push(next.value, onMessage);
          const stalled = progress.check(read as never);
          if (stalled !== undefined) throw stalled;
        }
      } catch (error) {
        failure = error;
      }
    }
    progress.hold();
  };
  try {
    source = await withRetries(rt.retry, { endpoint, model, signal }, async (attempt) => {
      // each attempt's deadlines count from its own send; the first's first message's from the
      // key callback's call, if there was one (`keyClock`)
      if (attempt > 1) call.keyAskedAt = undefined;
      progress = new Progress(rt, call.idleMs, call.keyAskedAt);
      read.progress = 0;
      page = undefined;
      const body = init.breaker
        ? streamThroughBreaker(rt, breakerSignal, open, redact, undefined, call.echoed)
        : open(undefined);
      try {
        await fill(body);
        // Nothing reached the caller yet: a failure here may still be retried.
        if (pending.length === 0 && failure !== undefined) throw failure;
        return body;
      } catch (error) {
        failure = undefined;
        await body.return(undefined).catch(() => {});
        throw withPartial(rt, error, endpoint, undefined, undefined, call.echoed);
      }
    });
    for (;;) {
      while (pending.length > 0) {
        if (signal?.aborted) throw signal.reason;
        watch.handOver();
        iterator.leave = undefined;
        yield pending.shift()!;
        iterator.leave = leave;
        // A transfer read to its end while the caller held a message is still whole.
        watch.resumed(ended && failure === undefined);
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await fill(source);
    }
  } catch (error) {
    // Nothing reaches a caller who left: its pending read ends done.
    if (left) return;
    if (watch.abandoned) throw normalizeFailure(rt, watch.error(), init.signal);
    const failed = withPartial(rt, error, endpoint, undefined, undefined, call.echoed);
    throw normalizeFailure(rt, failed, init.signal);
  } finally {
    iterator.leave = undefined;
    watch.stop();
    await source?.return(undefined).catch(() => {});
    endCall();
  }
}
