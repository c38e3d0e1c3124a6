import { isLeavable, type LeaveHook, onAbort } from '@x/internal';
import type { StreamChunk } from '@x/provider-core';
import { allFailed } from './all-failed';
import { ignore } from './call-waits';
import { classify, isConsumerTimeout } from './classify';
import { fieldsToDrop } from './drop-fields';
import { dropFieldsHint } from './drop-fields-hint';
import { RouterClosedError } from './errors';
import type { HeldStream } from './held-streams';
import { Plan } from './plan';
import {
  callAnswered,
  callEnded,
  forDeployment,
  type IncomingRequest,
  type Moved,
  routerKeyHint,
} from './route-call';
import type { RouterRuntime } from './runtime';
import type { RouteInfo } from './types';
import { requestedWindow } from './window-lookup';

type Chunk = StreamChunk<object>;

/** The last chunk carries the route on its `response`, as a buffered answer does. */
function withRoute(chunk: Chunk, route: RouteInfo): Chunk {
  if (!chunk.done || chunk.response === undefined) return chunk;
  return { ...chunk, response: { ...chunk.response, route } };
}

/**
 * Ends a provider's stream the caller let go of, dropping its failure, a synchronous throw
 * included: the caller is gone, and the counts were given back already.
 */
function returnQuietly(iterator: AsyncIterator<Chunk>): void {
  try {
    const ended = iterator.return?.();
    if (ended !== undefined) Promise.resolve(ended).catch(() => {});
  } catch {
    // Dropped, as a rejection is: nobody is left to tell.
  }
}

/**
 * Why a chunk that just arrived must not be handed over: the caller aborted, or `destroy()` ended
 * the router's calls, while it was on its way. Nothing was held then for the abort listener or
 * `destroy()` to let go of: a provider may still deliver a chunk after an abort (one that ignores
 * its signal), and one delivered just before `destroy()` resumes this code after it. Handed over,
 * it would keep the call, its deployment's slot and `close()` waiting on a caller who has left.
 */
function endedMeanwhile(
  rt: RouterRuntime,
  signal: AbortSignal | undefined,
): { error: unknown } | undefined {
  if (signal?.aborted) return { error: signal.reason };
  if (rt.destroying) return { error: new RouterClosedError() };
  return undefined;
}

/** What the wait in progress rejects with when the caller leaves: never seen outside. */
const LEFT = new Error('the caller left the stream');

/**
 * One streamed call. Deployments are tried in the plan's order until one delivers its first
 * chunk; from then on the stream is that deployment's, and a failure reaches the caller as is
 * (nothing falls back once a chunk reached the caller: the answer would be spliced from two
 * models). Leaving the loop early ends the provider's stream, which aborts its request; so does
 * `return()` or `throw()` while a read is pending (`hook.leave`, see `LeavableIterator`), which
 * settles that read done at once, whatever the provider does with its own `return()`.
 */
export async function* routeStream(
  rt: RouterRuntime,
  group: string,
  request: IncomingRequest,
  hook: LeaveHook,
): AsyncGenerator<Chunk, void, undefined> {
  const signal = request.signal;
  /**
   * Rejects the wait in progress (admission, the first chunk, the next one unless its provider's
   * stream is an `ender`): the caller left, or mid-stream aborted. A provider may never settle
   * that wait (a request queued in its rate limiter waits for its turn), and the call must not be
   * held until it does.
   */
  let wake: ((reason: unknown) => void) | undefined;
  /**
   * The provider's stream whose reads are not made wakeable (a `LeavableIterator`, see
   * `nextChunk`): leaving ends it, and its `return()` settles the pending read.
   */
  let ender: AsyncIterator<Chunk> | undefined;
  /** Set when the caller left while a read was pending: the call ends, counted as cancelled. */
  let left = false;
  const leave = () => {
    left = true;
    if (wake !== undefined) wake(LEFT);
    else if (ender !== undefined) returnQuietly(ender);
  };
  /** `work`, or a rejection as soon as {@link wake} is called. */
  const wakeable = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      wake = reject;
      const settled = () => {
        if (wake === reject) wake = undefined;
      };
      // A late outcome after a wake is dropped here, never an unhandled rejection.
      work.then(
        (value) => {
          settled();
          resolve(value);
        },
        (error: unknown) => {
          settled();
          reject(error);
        },
      );
    });
  // A stream iterated before close() ends its current attempt before close() goes on.
  rt.assertOpen();
  const plan = new Plan(rt, group, 'stream', request.tags, false, requestedWindow(request));
  const known = rt.knownFields.get(group);
  const started = performance.now();
  rt.counters.requests++;
  rt.counters.group(group).requests++;
  rt.counters.streams++;
  rt.callStarted();
  let moved: Moved | undefined;
  /** Counted as answered when its last chunk was handed over, as the providers count it. */
  let answered = false;
  /**
   * Set when the call was let go of while its caller held a chunk (`consumerMs`, `destroy()`):
   * counted then, and what the caller's next read rejects with.
   */
  let letGo: { error: unknown } | undefined;
  hook.leave = leave;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      // after close(), the attempt in flight ends the call: no other is started
      rt.assertOpen();
      const candidate = plan.next(performance.now());
      if (candidate === undefined) throw allFailed(plan, rt.byId);
      // Takes the deployment's in-flight slot; after an await, checks the caller and close().
      const entered = rt.enter(plan, candidate, signal);
      if (entered === false) continue;
      if (entered !== true) {
        /** The slot (and probe) an admission kept for a caller who left is given back. */
        const giveBack = (kept: boolean) => {
          if (!kept) return;
          rt.unjudged(candidate.deployment, candidate.probe);
          candidate.deployment.inFlight--;
        };
        let admitted: boolean;
        try {
          admitted = await wakeable(entered);
        } catch (error) {
          // The admission goes on (a lookup, a claim): what it kept is given back when it ends.
          if (left) entered.then(giveBack, ignore);
          throw error;
        }
        if (left) {
          giveBack(admitted);
          throw LEFT;
        }
        if (!admitted) continue;
      }
      if (moved !== undefined) rt.fellBack(plan, 'stream', moved);
      moved = undefined;
      const d = candidate.deployment;
      const t0 = performance.now();
      plan.calls++;
      d.calls++;
      const dropped = fieldsToDrop(request, d, 'chat', known);
      let iterator: AsyncIterator<Chunk> | undefined;
      let first: IteratorResult<Chunk>;
      try {
        const stream = d.provider.stream!(
          forDeployment(request, d, dropped) as never,
        ) as AsyncIterable<Chunk>;
        iterator = stream[Symbol.asyncIterator]();
        // Through the router's waits: destroy() or the caller's abort ends the call even when its
        // provider never delivers the chunk.
        first = await rt.waits.until(wakeable(iterator.next()), signal);
        if (left) throw LEFT;
      } catch (error) {
        d.inFlight--;
        if (left) {
          // Ended, unawaited: its request, queued or sent, is aborted; nothing more is sent.
          if (iterator !== undefined) returnQuietly(iterator);
          rt.unjudged(d, candidate.probe);
          throw error;
        }
        // The provider's stream destroy() or the caller's abort let go of is ended, unawaited: it
        // may never settle.
        if (iterator !== undefined && (rt.destroying || signal?.aborted === true)) {
          returnQuietly(iterator);
        }
        const closed = rt.shutdownError(error, d, candidate.probe);
        if (closed !== undefined) throw closed;
        const verdict = classify(error, signal);
        rt.failed(d, 'stream', error, verdict, candidate.probe, signal?.aborted === true);
        if (verdict === 'fatal') {
          throw signal?.aborted
            ? signal.reason
            : (dropFieldsHint(error, rt, plan.group, d, 'chat') ?? routerKeyHint(error));
        }
        plan.failed(d, error, performance.now() - t0);
        if (verdict === 'context') plan.overflowed(d, error);
        moved = { from: d, verdict, attempt: plan.attempts.length - 1 };
        continue;
      }
      // The first chunk is the stream's latency (to the first token); whether the attempt went
      // well is for its end to say: a deployment that breaks every stream after a few chunks
      // fails every call, and must cool down as one that fails before them.
      const now = performance.now();
      rt.measured(d, 'stream', now - t0);
      const route = plan.route(d, dropped);
      /** The whole answer arrived: the attempt's verdict, and the call's. */
      const answer = () => {
        answered = true;
        rt.succeeded(candidate);
        callAnswered(rt, 'stream', route, now - started);
      };
      let finished = false;
      const provided = iterator;
      const held: HeldStream = {
        since: 0,
        end: (error) => {
          // The caller holds a chunk and the stream's code is suspended: let go of it here.
          letGo = { error };
          stopFollowing?.();
          if (!answered) {
            rt.counters.cancelled++;
            rt.unjudged(d, candidate.probe);
          }
          d.inFlight--;
          rt.callFinished();
          returnQuietly(provided);
        },
      };
      // The caller's abort while it holds a chunk lets go at once too (its provider's stream
      // does the same on its side), and one while it waits for the next chunk rejects that wait
      // at once (a provider may ignore its signal); one listener per stream, none per chunk. The
      // listener rejects the one wait in progress: a promise raced against every chunk instead,
      // living as long as the stream, would keep a reaction (and the chunk it resolved with) per
      // chunk until the stream ends.
      const stopFollowing =
        signal === undefined
          ? undefined
          : onAbort(signal, () => {
              wake?.(signal.reason);
              if (rt.held.release(held)) held.end(signal.reason);
            });
      // A stream of ours (a `LeavableIterator`) ends its pending read itself when left: its reads
      // cost no wake-up (a promise and two closures a chunk). Without a signal only: one that
      // ignores the caller's abort (a wrapper that drops the signal) is still woken by it.
      if (signal === undefined && isLeavable(iterator)) ender = iterator;
      const nextChunk = (): Promise<IteratorResult<Chunk>> =>
        rt.waits.until(
          ender !== undefined
            ? iterator.next()
            : signal?.aborted
              ? Promise.reject(signal.reason)
              : wakeable(iterator.next()),
        );
      try {
        // `left` first: a read the provider's stream settled done when left is not the end.
        for (let result = first; ; result = await nextChunk()) {
          if (left) throw LEFT;
          if (result.done) break;
          const ended = endedMeanwhile(rt, signal);
          if (ended !== undefined) {
            // Let go of as a held stream is (counted, slot given back, provider's stream ended).
            held.end(ended.error);
            throw ended.error;
          }
          // A caller that breaks out of its loop at the last chunk had the whole answer.
          if (result.value.done && !answered) answer();
          rt.held.hold(held);
          hook.leave = undefined;
          yield withRoute(result.value, route);
          hook.leave = leave;
          rt.held.release(held);
          if (letGo !== undefined) {
            // The whole answer had reached the caller: nothing was lost by letting go.
            if (answered) return;
            throw letGo.error;
          }
        }
        finished = true;
      } catch (error) {
        finished = true;
        // Let go of already (its provider's stream returned): judged.
        if (letGo !== undefined) throw error;
        if (left) {
          // Ended, unawaited: a provider's `return()` may wait for its own pending read (`leave`
          // ended an `ender` already).
          if (ender === undefined) returnQuietly(provided);
          if (!answered) rt.unjudged(d, candidate.probe);
          throw error;
        }
        if (rt.destroying) {
          // destroy() ended the wait for the next chunk: the provider's stream is ended,
          // unawaited (it may never settle), and an answer that reached the caller whole ends well.
          returnQuietly(provided);
          if (answered) return;
        } else if (signal?.aborted) {
          // The caller's abort ended that wait: so is the provider's stream, unawaited.
          returnQuietly(provided);
        }
        // Answered in full already: judged.
        if (answered) throw error;
        const closed = rt.shutdownError(error, d, candidate.probe);
        if (closed !== undefined) throw closed;
        const verdict = classify(error, signal);
        // Judged as a failure before the first chunk is: a deployment whose streams die mid-way
        // fails as one whose streams never start (its breaker refusing, its provider closed under
        // it, included). Left out: what is the caller's (its abort, `failed` leaves out; a chunk
        // held past the provider's own `consumerMs`).
        if (isConsumerTimeout(error)) rt.unjudged(d, candidate.probe);
        else rt.failed(d, 'stream', error, verdict, candidate.probe, signal?.aborted === true);
        // The caller's abort rejects with its reason, whatever the provider made of it.
        throw signal?.aborted ? signal.reason : error;
      } finally {
        ender = undefined;
        rt.held.release(held);
        stopFollowing?.();
        if (letGo === undefined) {
          try {
            // The caller left the loop early: end the provider's stream (it aborts its request).
            if (!finished) {
              if (!answered) {
                rt.counters.cancelled++;
                rt.unjudged(d, candidate.probe);
              }
              // Through the router's waits: destroy() ends a return() that never settles.
              const ending = iterator.return?.();
              if (ending !== undefined) await rt.waits.until(ending);
            }
          } catch {
            // The provider failed to end its stream: the caller, who is leaving, has no use for
            // that (the built-in providers swallow it too), and the counts are given back anyway.
          } finally {
            d.inFlight--;
          }
        }
      }
      // A stream that ended without a last chunk marked done: all its provider had to say.
      if (!answered) answer();
      return;
    }
  } catch (error) {
    if (left && letGo === undefined) {
      // The caller's pending read settles done, as a provider's does for a caller who left.
      if (!answered) rt.counters.cancelled++;
      return;
    }
    if (answered || letGo !== undefined) throw error;
    // The provider let go of a consumer who held a chunk too long: the caller's doing.
    if (isConsumerTimeout(error)) rt.counters.cancelled++;
    else callEnded(rt, 'stream', plan, error, signal);
    throw error;
  } finally {
    hook.leave = undefined;
    if (letGo === undefined) rt.callFinished();
  }
}
