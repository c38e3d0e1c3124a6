import type { Cache } from '@x/cache';
import { onAbort } from '@x/internal';
import { isProviderErrorOfKind } from '../errors';
import {
  joinEnding,
  type LightSignal,
  lightSignal,
  realSignal,
  releaseSignal,
} from '../light-signal';
import type { ProviderTopics } from '../observe/events';
import type { StatsRecorder } from '../observe/stats';
import type { CacheMode, StreamChunk, ToolCall, ToolCallOf } from '../types';
import { JoinBound, OwnReloads } from './cache-join-bound';
import { CacheMembership } from './cache-sharing';
import { cloneAnswer } from './clone-answer';
import { type CachedAnswer, type Scrub, storedAnswer } from './stored-answer';

export { recorded } from './stored-answer';

/** The parts of an answer the cache step reads and rewrites on a hit. */
interface Cacheable {
  cached?: boolean | undefined;
  attempts?: number | undefined;
  truncated?: boolean | undefined;
  content?: string | undefined;
  thinking?: string | undefined;
  toolCalls?: ToolCall[] | undefined;
  timings: {
    latencyMs: number | undefined;
    queueWaitMs?: number | undefined;
    firstTokenMs?: number | undefined;
  };
}

/** The part of an operation the cache step reads. */
export interface CacheInput<Request> {
  model(request: Request): string;
  /**
   * The request part that decides the answer: the key's input. Absent, or undefined for a
   * request: never cached (that request is neither read from, stored in nor shared through the
   * cache, as with `cache: 'bypass'`).
   */
  cacheKey?(request: Request): Record<string, unknown> | undefined;
}

/** How one request meets the cache. */
export type CachePlan =
  | { use: 'none' }
  | { use: 'refresh'; key: Record<string, unknown> }
  | { use: 'read-through'; key: Record<string, unknown> };

/**
 * The cache step: identical requests share one call and a stored answer is returned marked
 * `cached`; a streamed answer is recorded and replayed as a stream. Only complete, successful,
 * untruncated answers are stored.
 */
/**
 * Loads a fresh answer under `signal` (ended by `destroy()`); `callerSignal` is that of whoever
 * waits for it, for the breaker to tell their abort from a failure.
 */
type Load<Response> = (
  signal: AbortSignal | undefined,
  callerSignal: AbortSignal | undefined,
) => Promise<Response>;

/**
 * The provider whose load ended with an error, by error: a cache shared by providers lets a call
 * join a load another provider started (another server, maybe another deployment of a router),
 * and that load's failure is not the joining provider's to report.
 */
const failedLoads = new WeakMap<object, CacheStage>();

export class CacheStage {
  readonly cache: Cache | undefined;
  readonly #stats: StatsRecorder;
  readonly #topics: ProviderTopics;
  /** The provider's `ending` signal (`destroy()`). */
  readonly #ending: LightSignal;
  /** The provider's `closing` signal (`close()` and `destroy()`). */
  readonly #closing: LightSignal;
  /** This provider among the providers sharing the cache (undefined without one). */
  readonly #sharing: CacheMembership | undefined;
  /** How long a call waits for another provider's load: its first-token deadline. */
  readonly #joinWaitMs: number | undefined;
  /** This provider's loads for calls that left another provider's load, by cache key. */
  readonly #reloads = new OwnReloads();
  /** The provider's redactor: what the cache stores is scrubbed of its secrets. */
  readonly #scrub: Scrub | undefined;

  constructor(
    cache: Cache | undefined,
    stats: StatsRecorder,
    topics: ProviderTopics,
    ending: LightSignal,
    closing: LightSignal,
    joinWaitMs?: number | undefined,
    scrub?: Scrub | undefined,
  ) {
    this.cache = cache;
    this.#stats = stats;
    this.#topics = topics;
    this.#ending = ending;
    this.#closing = closing;
    this.#sharing = cache === undefined ? undefined : new CacheMembership(cache);
    this.#joinWaitMs = joinWaitMs;
    this.#scrub = scrub;
  }

  /**
   * The signal a cache call is given: none for the provider's `ending` signal, which is the
   * signal of every call that has none of its own. The cache would check it and listen to it on
   * each call, for nothing: a waiter gets what the load ends with, and the load follows `ending`.
   */
  #options(signal: AbortSignal | undefined): { signal: AbortSignal | undefined } | undefined {
    if (signal === undefined || (signal as unknown) === this.#ending) return undefined;
    // The cache may hand the signal to its store: code of the user's, which needs a real one.
    return { signal: realSignal(signal) };
  }

  /** Decides how a request meets the cache (bypassed, refreshed, or read through). */
  plan<Request>(op: CacheInput<Request>, request: Request, mode: CacheMode | undefined): CachePlan {
    const cache = this.cache;
    if (cache === undefined || op.cacheKey === undefined || mode === 'bypass') return NONE;
    const key = op.cacheKey(request);
    if (key === undefined) return NONE;
    if (mode === 'refresh') return { use: 'refresh', key };
    // Not cacheable (sampled, tools...): not shared either, straight to the server.
    return cache.decide(key).cacheable ? { use: 'read-through', key } : NONE;
  }

  /**
   * A buffered answer through the cache: a stored one, the one an identical call in flight is
   * loading, or a fresh one from `load` (then stored).
   */
  async readThrough<Response extends Cacheable>(
    key: Record<string, unknown>,
    model: string,
    signal: AbortSignal | undefined,
    started: number,
    load: Load<Response>,
  ): Promise<Response> {
    // Counted while in the cache: another provider's call may join a load of this one's.
    const sharing = this.#sharing!;
    sharing.enter();
    try {
      for (let tries = 1; ; tries++) {
        try {
          return await this.#readThrough(key, model, signal, started, load);
        } catch (error) {
          // A cache shared by providers: the load this call joined was another provider's, and it
          // failed (its server timed out or refused; its `close()` or `destroy()` ended it). Its
          // failure says nothing of this provider's server, and reporting it as this call's would
          // charge this deployment (a router cools it down) for another's: this one loads again
          // (the failed load left the cache), at most twice more, as the next load may be joined
          // and fail alike. A load of this provider's own is never run again for a waiter, which
          // would multiply the requests to a failing server by its waiters.
          const loader =
            typeof error === 'object' && error !== null ? failedLoads.get(error) : undefined;
          const foreign =
            (loader !== undefined && loader !== this) || isProviderErrorOfKind(error, 'closed');
          if (!foreign || tries === 3) throw error;
          // Ended meanwhile (its caller, its deadline, `destroy()`) or closed: no load again, and
          // the other's failure is still not this call's to report: it ends with its own reason.
          if (signal?.aborted === true) throw signal.reason;
          if (this.#closing.aborted) throw this.#closing.reason;
        }
      }
    } finally {
      sharing.exit();
    }
  }

  async #readThrough<Response extends Cacheable>(
    key: Record<string, unknown>,
    model: string,
    signal: AbortSignal | undefined,
    started: number,
    load: Load<Response>,
  ): Promise<Response> {
    const cache = this.cache!;
    const ending = this.#ending;
    const sharing = this.#sharing!;
    let own: Response | undefined;
    // A cache shared by providers: a call that joined another provider's load waits for it no
    // longer than its own server's first-token deadline, then loads from its own server. A cache
    // of one provider pays this comparison, nothing else.
    const bound =
      sharing.shared && this.#joinWaitMs !== undefined
        ? new JoinBound(ending, signal, this.#joinWaitMs - (performance.now() - started), () => {
            if (own !== undefined) return false;
            // A load of unknown owner (started before the cache was shared, or by code of the
            // user's) is left too: at worst this provider's own server answers twice.
            return sharing.loading.get(cache.key(key)) !== this;
          })
        : undefined;
    let value: unknown;
    try {
      value = await cache.getOrLoad(
        key,
        async (loaderSignal) => {
          // The load is this provider's request, whoever else waits for it: destroy() ends it. A
          // call without a signal of its own runs it under `ending` itself: the cache's signal
          // aborts once every waiter left, and that call, which gave the cache none, never leaves.
          const joined = (signal as unknown) === ending ? signal : joinEnding(ending, loaderSignal);
          // Its callers' signal, for the breaker and the error's telling (none for a call without
          // a signal of its own: nothing to listen to). Not this caller's, whose abort must not end
          // the load for the others: one that aborts once every waiter left by its caller's choice.
          const callers = (signal as unknown) === ending ? undefined : callersLeft(loaderSignal);
          // Whose load this is, for a call of another provider that joined it (read only when its
          // bound ends; the key is made on this miss path, never on a hit).
          // The load may outlive every call of this provider waiting on it (another's joined it).
          sharing.enter();
          const id = sharing.shared ? cache.key(key) : undefined;
          if (id !== undefined) sharing.loading.set(id, this);
          try {
            own = await load(joined, callers?.signal);
          } catch (error) {
            if (typeof error === 'object' && error !== null) failedLoads.set(error, this);
            throw error;
          } finally {
            if (id !== undefined && sharing.loading.get(id) === this) sharing.loading.delete(id);
            sharing.exit();
            releaseSignal(joined);
            callers?.release();
          }
          return storedAnswer({ response: own } satisfies CachedAnswer<Response>, this.#scrub);
        },
        bound !== undefined
          ? { signal: bound.signal }
          : // Shared: the load may be another provider's, which this one's `ending` does not end.
            sharing.shared && signal !== undefined
            ? { signal: realSignal(signal) }
            : this.#options(signal),
      );
    } catch (error) {
      if (bound?.left !== true) throw error;
      // A closed provider sends nothing new: the call ends with its closed error.
      if (this.#closing.aborted) throw this.#closing.reason;
      // Left the other provider's load (it goes on for its own callers): this call's answer
      // comes from its own server, and is stored as a load's would be.
      return this.#ownLoad(key, model, signal, load);
    } finally {
      bound?.release();
    }
    if (own !== undefined) {
      this.#stats.cacheMiss(model);
      // A shared cache has no `ttl` hook of ours: take a truncated answer back out.
      if (own.truncated) cache.delete(key);
      return own;
    }
    this.hit(model);
    return fromCache((value as CachedAnswer<Response>).response, performance.now() - started);
  }

  /**
   * A fresh answer from this provider's own server, outside the cache's shared loads, for a call
   * that left another provider's load: one load per key for all of this provider's calls that
   * left (they would otherwise each send the request), run and ended as a cache's load is; stored.
   */
  async #ownLoad<Response extends Cacheable>(
    key: Record<string, unknown>,
    model: string,
    signal: AbortSignal | undefined,
    load: Load<Response>,
  ): Promise<Response> {
    const ending = this.#ending;
    const waiter = (signal as unknown) === ending ? undefined : realSignal(signal);
    const response = (await this.#reloads.run(this.cache!.key(key), waiter, async (loadSignal) => {
      const joined = joinEnding(ending, loadSignal);
      const callers = callersLeft(loadSignal);
      try {
        const answer = await load(joined, callers.signal);
        this.store(key, { response: answer });
        return answer;
      } finally {
        releaseSignal(joined);
        callers.release();
      }
    })) as Response;
    this.#stats.cacheMiss(model);
    return response;
  }

  /** The provider was closed or destroyed: see {@link CacheMembership.leave}. */
  leave(): void {
    this.#sharing?.leave();
  }

  /** Once none of this provider's calls and loads is left in the cache: see {@link CacheMembership.idle}. */
  idle(): Promise<void> | undefined {
    return this.#sharing?.idle();
  }

  /** A stored answer for a stream, or undefined (counted as a miss). */
  async lookup<Response>(
    key: Record<string, unknown>,
    model: string,
    signal: AbortSignal | undefined,
  ): Promise<CachedAnswer<Response> | undefined> {
    const hit = (await this.cache!.lookup(key, this.#options(signal))) as
      | CachedAnswer<Response>
      | undefined;
    if (hit === undefined) this.#stats.cacheMiss(model);
    return hit;
  }

  /** Stores a complete answer (never a truncated one); a value the cache refuses is not stored. */
  store<Response extends Cacheable>(
    key: Record<string, unknown>,
    value: CachedAnswer<Response>,
  ): void {
    if (value.response.truncated) return;
    try {
      this.cache!.set(key, storedAnswer(value, this.#scrub));
    } catch {
      // A value the cache refuses is simply not cached.
    }
  }

  hit(model: string): void {
    this.#stats.cacheHit(model);
    if (this.#topics['cache-hit'].active) this.#topics['cache-hit'].emit({ model });
  }
}

const NONE: CachePlan = Object.freeze({ use: 'none' });

/** A mutable copy of a cached (deep-frozen) answer, marked cached. */
export function fromCache<Response extends Cacheable>(
  stored: Response,
  latencyMs: number,
): Response {
  const response = cloneAnswer(stored);
  response.cached = true;
  response.attempts = 0;
  if ('content' in response) response.toolCalls ??= [];
  // Set after the spread, not written after it (`{ ...timings, latencyMs }`): in Node 20 an object
  // built by a spread followed by more keys takes V8's slow path, built and read.
  const timings = { ...response.timings };
  timings.latencyMs = latencyMs;
  if ('queueWaitMs' in timings) timings.queueWaitMs = undefined;
  if ('firstTokenMs' in timings) timings.firstTokenMs = undefined;
  response.timings = timings;
  return response;
}

/** The chunks to replay for a cached answer (one chunk when it was stored by a buffered call). */
export function replayChunks<Response extends Cacheable>(
  hit: CachedAnswer<Response>,
): StreamChunk<Response>[] {
  const chunks = hit.chunks ?? [
    { c: hit.response.content ?? '', t: hit.response.thinking, tc: hit.response.toolCalls },
  ];
  return chunks.map((chunk) => ({
    content: chunk.c,
    thinking: chunk.t,
    // Recorded from this provider's own chunks, so of its own tool call type.
    toolCalls:
      chunk.tc !== undefined && chunk.tc.length > 0
        ? (cloneAnswer(chunk.tc) as ToolCallOf<Response>[])
        : undefined,
    done: false,
    response: undefined,
  }));
}

/**
 * A signal that aborts with `loaderSignal` (the cache's, aborted once every waiter of a shared
 * load left) unless the last one left on the provider's own deadline (`totalMs`) or its
 * `destroy()`: the breaker ignores what callers abort, and must count a load that timed out as it
 * would for one caller.
 */
function callersLeft(loaderSignal: AbortSignal): { signal: AbortSignal; release: () => void } {
  const left = lightSignal();
  const release = onAbort(loaderSignal, () => {
    const reason: unknown = loaderSignal.reason;
    if (isProviderErrorOfKind(reason, 'timeout') || isProviderErrorOfKind(reason, 'closed')) return;
    left.abort(reason);
  });
  return { signal: left, release };
}
