import type { Breaker } from '@x/breaker';
import type { Cache } from '@x/cache';
import { LeavableIterator } from '@x/internal';
import type { Pool } from '@x/pool';
import type { ConcurrencyLimiter, RateLimiter } from '@x/rate-limit';
import type { ErrorKit } from './error-kit';
import { streamAttempt } from './http/attempt';
import { madeBefore } from './http/metadata-wait';
import { joinEnding, releaseSignal } from './light-signal';
import { type ProviderEventMap, topicOf } from './observe/events';
import { buildFamilies, type MetricFamily, metricPrefix } from './observe/families';
import { watchBreaker } from './observe/log';
import { renderFamilies } from './observe/prometheus';
import type { ProviderStats } from './observe/stats';
import type { CoreRequest, CoreResponse, Operation, StreamFormat } from './operation';
import { parseJson, withPartial } from './pipeline/answer-failures';
import { isWebPage } from './pipeline/answer-type';
import { complete, request } from './pipeline/buffered';
import { attemptInit, headersFor } from './pipeline/call-request';
import { type MessagesInit, messages } from './pipeline/messages';
import type { RawBody } from './pipeline/plain-call';
import { stream } from './pipeline/stream';
import { WebPage } from './pipeline/web-page';
import { type CoreConfig, createRuntime, type Runtime } from './runtime';
import { redactOnce } from './secrets';
import { EMPTY_PARTIAL, type StreamChunk } from './types';

function noop(): void {}

/**
 * The request path of one provider, built once from its wire (operations, error classes, HTTP
 * error mapping, context windows) and the user's options. A provider class holds one and exposes
 * its own methods over it; see the README for a provider written on it in 40 lines.
 */
export class ProviderCore {
  readonly #rt: Runtime;
  readonly #unsubscribe: Array<() => void> = [];
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;

  constructor(config: CoreConfig) {
    this.#rt = createRuntime(config);
    const { breaker, stats, audit, log } = this.#rt;
    if (breaker !== undefined) this.#unsubscribe.push(watchBreaker(breaker, stats, audit, log));
  }

  /** The base URL calls go to. */
  get baseUrl(): string {
    return this.#rt.baseUrl;
  }

  /** The provider's error constructors. */
  get kit(): ErrorKit {
    return this.#rt.kit;
  }

  /** True once {@link close} or {@link destroy} was called. */
  get closed(): boolean {
    return this.#rt.closed;
  }

  /**
   * Aborted by {@link close} and {@link destroy}: a wait of the provider's own outside the
   * request path (a readiness poll's backoff) ends with it.
   */
  get closeSignal(): AbortSignal {
    return this.#rt.closing.toAbortSignal();
  }

  /** Scrubs every known secret out of text (server messages) before it goes anywhere. */
  redact(text: string): string {
    return this.#rt.redactor.redact(text);
  }

  /**
   * {@link redact} for a text no later scrub looks up (a model's digest, a timestamp): the same
   * result and report, but a clean text is not remembered as clean, so a long list of them (a
   * server's models) does not push the texts that recur (model names) out of the scrub's memo.
   */
  redactOnce(text: string): string {
    return redactOnce(this.#rt.redactor.redact, text);
  }

  /** Throws the provider's closed error once {@link close} or {@link destroy} was called. */
  assertOpen(): void {
    if (this.#rt.closed) throw this.#rt.kit.closed();
  }

  /** A buffered call of `op` through the whole request path. Validate `request` first. */
  complete<Request extends CoreRequest, Response extends CoreResponse>(
    op: Operation<Request, Response>,
    input: Request,
  ): Promise<Response> {
    return complete(this.#rt, op, input);
  }

  /**
   * A streamed call of `op` through the whole request path. Validate `request` first.
   *
   * `onEnd` is called once when the call is over, however it ends: its last chunk, an error, the
   * caller leaving its loop, or while the caller holds a chunk (`timeouts.consumerMs` passed on a
   * dropped iterator, `destroy()`, the caller's abort), when the iterator itself may never
   * settle. A wrapper that keeps state per stream (a list of streams in flight, a count) lets go
   * of it there.
   */
  stream<Request extends CoreRequest, Response extends CoreResponse>(
    op: Operation<Request, Response>,
    format: StreamFormat,
    input: Request,
    onEnd?: () => void,
  ): AsyncGenerator<StreamChunk<Response>, void, undefined> {
    const iterator = new LeavableIterator<StreamChunk<Response>>();
    return iterator.of(stream(this.#rt, op, format, input, onEnd, iterator));
  }

  /**
   * A buffered exchange with retries and the breaker but no cache, tokens or rate limit: server
   * metadata and model management. Returns the body text, the attempts made and the status.
   *
   * `payload` is sent as JSON; `body` sends raw bytes instead (an upload: a `Uint8Array`, or an
   * async iterable of them, streamed and then never retried; see {@link RawBody}). `answers` lists
   * error statuses that are answers rather than errors (`[404]` for a `HEAD` that asks whether
   * something exists): their body and status are returned as a success's are, and the breaker
   * sees a success.
   */
  request(init: {
    endpoint: string;
    method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
    payload?: unknown;
    body?: RawBody | undefined;
    answers?: readonly number[] | undefined;
    model?: string | undefined;
    /** What the call asks for, named in its timeout error after its method and path. */
    purpose?: string | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<{ text: string; attempts: number; status: number }> {
    if (init.payload !== undefined && init.body !== undefined) {
      throw new TypeError('Expected either `payload` or `body`, got both');
    }
    return request(this.#rt, {
      endpoint: init.endpoint,
      method: init.method,
      payload: init.payload,
      body: init.body,
      answers: init.answers,
      model: init.model,
      purpose: init.purpose,
      signal: init.signal,
    });
  }

  /** A lookup's error made before `op`'s request: its deadline says that request was not sent. */
  lookupFailure(error: unknown, op: { readonly endpoint: string }): unknown {
    return madeBefore(this.#rt.kit, error, `POST ${this.#rt.basePath}${op.endpoint}`);
  }

  /**
   * Messages of a streamed exchange outside the answer path (the progress of a model download),
   * parsed by `init.parse`; retries until the first message, the breaker only when asked. Ended
   * by {@link close} as by {@link destroy}.
   */
  messages<T>(init: MessagesInit<T>): AsyncGenerator<T, void, undefined> {
    const iterator = new LeavableIterator<T>();
    return iterator.of(messages(this.#rt, init, iterator));
  }

  /** Parses a JSON answer; anything else is the provider's typed `invalid-json` stream error. */
  json(text: string, endpoint: string): unknown {
    return parseJson(this.#rt, text, endpoint);
  }

  /**
   * One probe for health: no breaker, limiter or retries, at most `maxBytes` of body (an endless
   * answer is cut, never buffered), under `signal`. Rejects with the provider's typed errors; a
   * 200 web page (`text/html`) to a GET rejects, as every other call does, with the stream error
   * naming it ({@link isWebPageAnswer}), after at most 2 KiB of it.
   */
  async probe(
    endpoint: string,
    method: 'GET' | 'HEAD',
    signal: AbortSignal | undefined,
    maxBytes = 64 * 1024,
  ): Promise<string> {
    const rt = this.#rt;
    const joined = joinEnding(rt.ending, signal);
    try {
      const pendingHeaders = headersFor(rt, 'application/json', joined);
      const { headers, key, askedAt } =
        pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
      const parts: Buffer[] = [];
      let size = 0;
      // A HEAD reads no body: it only says something answers there (an API's root may be a page).
      let page: WebPage | undefined;
      const onContentType = (contentType: string | undefined): void => {
        if (method === 'GET' && isWebPage(contentType)) page = new WebPage(contentType!);
      };
      const redact = rt.redactor.redactFor(key, endpoint);
      const call = {
        endpoint,
        method,
        headers,
        body: undefined,
        model: undefined,
        signal: joined,
        callerSignal: signal,
        redact,
        idleMs: rt.timeouts.idleMs,
        // Its whole answer's deadline counts from the key callback's call, if any (`keyClock`).
        keyAskedAt: askedAt,
      };
      try {
        // Read whole: the answer must arrive within `firstTokenMs`, as a metadata answer must,
        // or a server trickling it byte by byte would hold the probe (and a call waiting on it)
        // for as long as the trickle lasts, each byte within `idleMs`.
        for await (const chunk of streamAttempt(
          attemptInit(rt, call, false, undefined, true),
          undefined,
          onContentType,
        )) {
          // Leaving the loop closes the socket: a page may never end.
          if (page !== undefined) {
            if (page.keep(chunk)) break;
            continue;
          }
          size += chunk.byteLength;
          if (size > maxBytes) {
            throw rt.kit.stream({
              reason: 'too-large',
              message: `${rt.identity.label}'s ${endpoint} answer exceeded ${maxBytes} bytes`,
              partial: EMPTY_PARTIAL,
            });
          }
          parts.push(Buffer.from(chunk));
        }
        if (page !== undefined) throw page.error(rt, endpoint, 'application/json', redact);
      } catch (error) {
        throw withPartial(rt, error, endpoint, undefined);
      }
      return Buffer.concat(parts).toString('utf8');
    } finally {
      releaseSignal(joined);
    }
  }

  /** A JSON-serialisable snapshot of the counters. Never resets them. */
  stats(): ProviderStats {
    return this.#rt.stats.snapshot();
  }

  /** Every statistic in the Prometheus text format, plus the state of the composed pieces. */
  toPrometheus(): string {
    return renderFamilies(this.metricFamilies());
  }

  /**
   * Every metric as families (counters, gauges and histograms labelled by `provider` and
   * `model`), for `prometheusText()` over several providers or `registerPromClient()`.
   */
  metricFamilies(): MetricFamily[] {
    const rt = this.#rt;
    return buildFamilies(
      rt.stats,
      {
        breakerState: rt.breaker?.state,
        rateLimitQueued: rt.limit?.limiter.stats().queued,
        concurrency: rt.concurrency?.limiter,
        cache: rt.cache.cache?.stats() as
          | { entries?: number | undefined; hitRate?: number | undefined }
          | undefined,
        pool: rt.pool?.stats().totals as
          | { connected?: number | undefined; queued?: number | undefined }
          | undefined,
      },
      metricPrefix(rt.identity.pkg),
      rt.name,
    );
  }

  /** This provider's `name` (its id unless set): the `provider` label of its metrics. */
  get name(): string {
    return this.#rt.name;
  }

  /**
   * Adds a listener of a provider event; returns its unsubscribe function.
   * @throws {TypeError} for a name that is no provider event (naming the closest one) or a
   * `listener` that is not a function
   */
  on<K extends keyof ProviderEventMap>(
    event: K,
    listener: (payload: ProviderEventMap[K]) => void,
  ): () => void {
    return topicOf(this.#rt.topics, event).on(listener as never);
  }

  /** The breaker in use, if any. */
  get breaker(): Breaker | undefined {
    return this.#rt.breaker;
  }

  /** The rate limiter in use, if any. */
  get rateLimiter(): RateLimiter | undefined {
    return this.#rt.limit?.limiter;
  }

  /** The concurrency limiter in use (`maxConcurrent`), if any. */
  get concurrencyLimiter(): ConcurrencyLimiter | undefined {
    return this.#rt.concurrency?.limiter;
  }

  /** The cache in use, if any. */
  get cache(): Cache | undefined {
    return this.#rt.cache.cache;
  }

  /** The connection pool in use, if any. */
  get pool(): Pool | undefined {
    return this.#rt.pool;
  }

  /**
   * Stops accepting calls and closes what the provider created (pool or agent, limiter); shared
   * instances are left open. A call waiting out a retry backoff ends with the closed error; a
   * request on a socket runs to its end, except a message stream ({@link messages}: a model
   * transfer), which no deadline ends and which ends at once with the closed error, its socket
   * freed, so that the closing is bounded. Every caller waits for the same closing. Idempotent;
   * after {@link destroy}, its promise.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const rt = this.#rt;
    this.#refuse(rt.kit.closed());
    this.#closing = Promise.all([
      rt.agent?.close(),
      rt.ownPool ? rt.pool?.close() : undefined,
      ...this.#ownLimitersClosed(),
      // A call that joined another provider's load through a shared cache holds no socket here.
      rt.cache.idle(),
    ]).then(noop);
    return this.#closing;
  }

  /**
   * Does what {@link close} does, and ends every call in flight at once with the closed error
   * (queued, on a socket, mid-stream or in a backoff), releasing its queue place, its socket and
   * its deadlines: a pool or agent the provider created is destroyed; the requests of a shared
   * pool are aborted one by one and the pool stays open for its other users. Resolves once what
   * the provider created is closed. Idempotent; ends a {@link close} in progress, whose promise
   * resolves too.
   */
  destroy(): Promise<void> {
    if (this.#destroying !== undefined) return this.#destroying;
    const rt = this.#rt;
    const destroyed = rt.kit.closed({ destroyed: true });
    this.#refuse(destroyed);
    // Every call's signal follows this one (see `Runtime.ending`): the abort reaches each wait.
    rt.ending.abort(destroyed);
    const closing = this.#closing;
    this.#destroying = Promise.all([
      rt.agent?.destroy(),
      rt.ownPool ? rt.pool?.destroy() : undefined,
      ...this.#ownLimitersClosed(),
      // A close in progress is waited for: undici's Agent, once closing, leaves the connections
      // it closes out of destroy(); they end as their requests, aborted above, do.
      closing,
      // Ended above too, but a call that joined another provider's load holds no socket here.
      rt.cache.idle(),
    ]).then(noop);
    this.#closing = this.#destroying;
    return this.#destroying;
  }

  /**
   * New calls are refused; backoffs and waits queued in shared limiters end with `reason`
   * (`close()` and `destroy()` both).
   */
  #refuse(reason: Error): void {
    const rt = this.#rt;
    rt.closed = true;
    rt.closing.abort(reason);
    rt.cache.leave();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** Closes the limiters the provider created: their waiters end with the closed error. */
  #ownLimitersClosed(): unknown[] {
    const { limit, concurrency } = this.#rt;
    return [
      limit?.own === true ? limit.limiter.close() : undefined,
      concurrency?.own === true ? concurrency.limiter.close() : undefined,
    ];
  }

  /** `await using core = ...` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
