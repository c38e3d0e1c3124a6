import type { Breaker } from '@x/breaker';
import type { Cache } from '@x/cache';
import type { Pool } from '@x/pool';
import type { ConcurrencyLimiter, RateLimiter } from '@x/rate-limit';
import type { AuditEvent } from './observe/audit';
import type { ErrorEvent, ResponseEvent, RetryEvent, TruncatedEvent } from './observe/events';
import type { MetricFamily } from './observe/families';
import type { ProviderStats } from './observe/stats';
import type { CoreRequest, CoreResponse, Operation } from './operation';
import type { ProviderCore } from './provider-core';

/**
 * The members every provider exposes the same way: statistics, metrics, listeners, the composed
 * pieces, closing and destroying. A provider extends it and calls {@link ProviderFacade.attach}
 * once its core is built, so the public surface is written once rather than once per provider.
 */
export abstract class ProviderFacade {
  #core: ProviderCore | undefined;

  /** Binds the provider's core; called once by the subclass's constructor. */
  protected attach(core: ProviderCore): void {
    this.#core = core;
  }

  #the(): ProviderCore {
    // Only reachable if a subclass forgot attach(): a programming error, said plainly.
    if (this.#core === undefined) throw new Error('ProviderFacade: attach(core) was not called');
    return this.#core;
  }

  /**
   * The core, for a call method to go through once it validated its request: throws the
   * provider's closed error (synchronously, before a stream is even iterated) once closed.
   */
  protected openCore(): ProviderCore {
    const core = this.#the();
    core.assertOpen();
    return core;
  }

  /**
   * A buffered call: `validate(request)`, then `admit(request)` when given (what the request asks
   * of this server beyond its shape: a promise to wait for, or `undefined` when there is nothing to
   * look up), then `op` through the whole request path; a lookup's deadline says the request was
   * not sent (`ProviderCore.lookupFailure`). A bad request or a closed provider rejects
   * the promise (never a synchronous throw). Not an `async` method: one returning the core's
   * promise would add a promise and two microtask hops to every call.
   */
  protected completeWith<Request extends CoreRequest, Response extends CoreResponse>(
    op: Operation<Request, Response>,
    request: Request,
    validate: (request: Request) => void,
    admit?: (request: Request) => Promise<void> | undefined,
  ): Promise<Response> {
    try {
      validate(request);
      const core = this.openCore();
      const wait = admit?.(request);
      return wait === undefined
        ? core.complete(op, request)
        : wait.then(
            () => core.complete(op, request),
            // The lookup's deadline says the request was never sent.
            (error: unknown) => {
              throw core.lookupFailure(error, op);
            },
          );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A JSON-serialisable snapshot of the counters. Never resets them. */
  stats(): ProviderStats {
    return this.#the().stats();
  }

  /**
   * Every metric in the Prometheus text format (counters, gauges and histograms labelled by
   * `provider` and `model`), plus breaker, limiter, cache and pool state.
   */
  toPrometheus(): string {
    return this.#the().toPrometheus();
  }

  /** Every metric as families, for `prometheusText()` over several providers or `registerPromClient()`. */
  metricFamilies(): MetricFamily[] {
    return this.#the().metricFamilies();
  }

  /** The `name` option (the provider's id unless set): the `provider` label of metrics, logs and audit events. */
  get name(): string {
    return this.#the().name;
  }

  /** True once {@link close} or {@link destroy} was called (`registerPromClient` then lets it go). */
  get closed(): boolean {
    return this.#the().closed;
  }

  /** Called before every retry. Returns an unsubscribe function. */
  onRetry(listener: (event: RetryEvent) => void): () => void {
    return this.#the().on('retry', listener);
  }

  /** Called when a call fails. Returns an unsubscribe function. */
  onError(listener: (event: ErrorEvent) => void): () => void {
    return this.#the().on('error', listener);
  }

  /** Called when a call succeeds (cache hits included). Returns an unsubscribe function. */
  onResponse(listener: (event: ResponseEvent) => void): () => void {
    return this.#the().on('response', listener);
  }

  /** Called when an answer is flagged as silently truncated. Returns an unsubscribe function. */
  onTruncated(listener: (event: TruncatedEvent) => void): () => void {
    return this.#the().on('truncated', listener);
  }

  /**
   * Called for each security event: a credential read (`credential-fetched`), a 401/403
   * (`auth-rejected`), the breaker forced by hand (`breaker-manual`), a secret scrubbed from a
   * server's text (`secret-scrubbed`). Never a secret. Returns an unsubscribe function.
   */
  onAudit(listener: (event: AuditEvent) => void): () => void {
    return this.#the().on('audit', listener);
  }

  /** The breaker in use, if any (to read `state` or call `open()`/`isolate()`). */
  get breaker(): Breaker | undefined {
    return this.#the().breaker;
  }

  /** The rate limiter in use, if any. */
  get rateLimiter(): RateLimiter | undefined {
    return this.#the().rateLimiter;
  }

  /**
   * The concurrency limiter in use (`maxConcurrent`), if any: `active` and `queued` now, and
   * its `stats()`.
   */
  get concurrencyLimiter(): ConcurrencyLimiter | undefined {
    return this.#the().concurrencyLimiter;
  }

  /** The cache in use, if any. */
  get cache(): Cache | undefined {
    return this.#the().cache;
  }

  /** The connection pool in use, if any. */
  get pool(): Pool | undefined {
    return this.#the().pool;
  }

  /**
   * Stops accepting calls and closes what the provider created (pool, limiter); shared instances
   * are left open. A call waiting out a retry backoff ends with `ProviderClosedError`; a request
   * on a socket runs to its own deadline. Every caller waits for the same closing. Idempotent.
   */
  close(): Promise<void> {
    return this.#the().close();
  }

  /**
   * Does what {@link close} does, and ends every call in flight at once with
   * `ProviderClosedError`: queued (rate limit, `maxConcurrent`, pool), waiting for an answer,
   * reading one (a stream's next read rejects), or waiting out a retry backoff. Its socket, queue
   * place and deadlines are released: a pool the provider created is destroyed; a shared pool
   * stays open for its other users, only this provider's requests are aborted. A caller whose own
   * signal aborted first keeps its reason. Resolves once what the provider created is closed.
   * Idempotent; a {@link close} in progress resolves too, and a `close()` afterwards returns the
   * same promise.
   *
   * @example
   * process.once('SIGTERM', () => void provider.destroy());
   */
  destroy(): Promise<void> {
    return this.#the().destroy();
  }

  /** `await using provider = create...()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
