import { isRateLimitStoreUnavailableError, QueueFullError, RateLimitTimeoutError } from './errors';
import { EventSource } from './internal/events';
import { type Waiter, WaitQueue } from './internal/wait-queue';
import { createMemoryStore } from './memory-store';
import {
  type AcquireOptions,
  costError,
  expectQueueLimit,
  expectSignal,
  expectTimeout,
  type LimitOptions,
  type NormalizedLimit,
  normalizeLimit,
} from './options';
import type { BoundRateLimitStore, RateLimitStore, ResolvedLimit } from './store';
import type { RateLimitRejectEvent } from './token-bucket';

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions<Name extends string> {
  /**
   * The buckets every key has, by name; a request is admitted only when all of them admit it.
   * @example `{ requests: { ratePerSecond: 60 }, tokens: { ratePerSecond: 150_000 / 60, capacity: 150_000 } }`
   */
  limits: Record<Name, LimitOptions>;
  /**
   * Where bucket state lives.
   * @default createMemoryStore()
   */
  store?: RateLimitStore;
  /**
   * The most `acquire()` calls that may wait per key; one more rejects with `QueueFullError`.
   * @default Infinity
   */
  maxQueue?: number;
}

/** Costs (or deltas) by limit name. A limit left out costs 0. */
export type Costs<Name extends string> = Partial<Record<Name, number>>;

/** A JSON-serialisable snapshot of a rate limiter; counters never reset. */
export interface RateLimiterStats {
  limits: { name: string; ratePerSecond: number; capacity: number }[];
  /** Admitted calls (`tryAcquire` true plus resolved `acquire`). */
  admitted: number;
  /** `tryAcquire` calls that returned false. */
  rejected: number;
  /** `acquire` calls that had to queue. */
  waited: number;
  timedOut: number;
  queueFull: number;
  aborted: number;
  /** Keys with waiters now. */
  waitingKeys: number;
  /** Waiters now, over all keys. */
  queued: number;
  /** The store's own snapshot (`kind`, key count, outage state...). */
  store: Record<string, unknown>;
}

/** A keyed, multi-limit rate limiter: see {@link createRateLimiter}. */
export interface RateLimiter<Name extends string = string> {
  /** The limits, in declaration order. */
  readonly limits: readonly ResolvedLimit[];
  /**
   * Takes every cost at once for `key` if all fit and nobody waits on that key; resolves `false`
   * (debiting nothing) otherwise. Costs omitted: 1 on every limit.
   * @throws RangeError (rejected) when a cost is not between 0 and its limit's capacity.
   */
  tryAcquire(key: string, costs?: Costs<Name>): Promise<boolean>;
  /**
   * Waits in the key's FIFO queue until every cost is taken at once (never a partial debit).
   * Rejects like `TokenBucket.acquire`: `RateLimitTimeoutError`, `QueueFullError`, `RangeError`,
   * `signal.reason`, and `RateLimitStoreUnavailableError` under a `fail-closed` outage.
   */
  acquire(key: string, costs?: Costs<Name>, options?: AcquireOptions): Promise<void>;
  /**
   * Corrects a charge once the real usage is known: positive deltas charge more (the bucket may
   * go into debt), negative deltas refund (up to capacity). Waiters are re-examined.
   */
  adjust(key: string, deltas: Costs<Name>): Promise<void>;
  /** Ms until `acquire(key, costs)` would be admitted, counting the key's queue (0: at once). */
  waitTimeMs(key: string, costs?: Costs<Name>): Promise<number>;
  /** A JSON-serialisable snapshot. */
  stats(): RateLimiterStats;
  /** Listens to rejected `acquire()` calls; returns an unsubscribe function. */
  onReject(listener: (event: RateLimitRejectEvent) => void): () => void;
  /** Rejects every waiter with an `AbortError` and frees the store binding. */
  close(): Promise<void>;
}

const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);
const RESOLVED: Promise<void> = Promise.resolve();

interface KeyWaiter extends Waiter {
  readonly costs: readonly number[];
  readonly total: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly deadline: number;
  readonly timeoutMs: number | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** counted in `waited` */
  counted: boolean;
}

interface KeyQueue {
  readonly queue: WaitQueue<KeyWaiter>;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** A store decision for the head is in flight (remote stores). */
  busy: boolean;
}

class RateLimiterImpl<Name extends string> implements RateLimiter<Name> {
  readonly limits: readonly ResolvedLimit[];
  private readonly normalized: readonly NormalizedLimit[];
  private readonly positions = new Map<string, number>();
  private readonly ones: readonly number[];
  private readonly store: BoundRateLimitStore;
  private readonly maxQueue: number;
  private readonly queues = new Map<string, KeyQueue>();
  private readonly rejectEvents = new EventSource<RateLimitRejectEvent>('reject');
  private admitted = 0;
  private rejected = 0;
  private waited = 0;
  private timedOut = 0;
  private queueFull = 0;
  private aborted = 0;
  private queued = 0;
  private closed = false;

  constructor(options: RateLimiterOptions<Name>) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `Expected \`options\` to be an object, got \`${String(options)}\` (${typeof options})`,
      );
    }
    const limits = options.limits as Record<string, LimitOptions> | undefined;
    if (typeof limits !== 'object' || limits === null || Object.keys(limits).length === 0) {
      throw new TypeError(
        `Expected \`limits\` to be an object with at least one limit, got \`${String(limits)}\` (${typeof limits})`,
      );
    }
    this.normalized = Object.entries(limits).map(([name, limit]) =>
      normalizeLimit(`limits.${name}`, limit),
    );
    this.normalized = this.normalized.map((l) => ({ ...l, name: l.name.slice('limits.'.length) }));
    this.limits = Object.freeze(
      this.normalized.map((l) =>
        Object.freeze({ name: l.name, ratePerSecond: l.ratePerSecond, capacity: l.capacity }),
      ),
    );
    for (const [i, l] of this.normalized.entries()) this.positions.set(l.name, i);
    this.ones = Object.freeze(this.normalized.map(() => 1));
    for (const l of this.normalized) {
      if (l.capacity < 1) {
        // the default cost of 1 could never be admitted; say so at construction
        throw new RangeError(
          `Expected \`limits.${l.name}.capacity\` to be a finite number >= 1, got \`${l.capacity}\` (number)`,
        );
      }
    }
    this.maxQueue =
      options.maxQueue === undefined
        ? Number.POSITIVE_INFINITY
        : expectQueueLimit('maxQueue', options.maxQueue);
    const store = options.store ?? createMemoryStore();
    if (typeof store !== 'object' || store === null || typeof store.bind !== 'function') {
      throw new TypeError(
        `Expected \`store\` to be a RateLimitStore, got \`${String(store)}\` (${typeof store})`,
      );
    }
    this.store = store.bind(this.limits);
  }

  tryAcquire(key: string, costs?: Costs<Name>): Promise<boolean> {
    let vector: readonly number[];
    try {
      expectKey(key);
      vector = costs === undefined ? this.ones : this.toVector(costs, true);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) return Promise.reject(closedError());
    if (this.queues.size !== 0 && this.queues.has(key)) {
      this.rejected++;
      return FALSE;
    }
    let result: number | Promise<number>;
    try {
      result = this.store.take(key, vector);
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof result === 'number') {
      if (result === 0) {
        this.admitted++;
        return TRUE;
      }
      this.rejected++;
      return FALSE;
    }
    return result.then(
      (wait) => {
        if (wait === 0) this.admitted++;
        else this.rejected++;
        return wait === 0;
      },
      (error: unknown) => {
        if (isRateLimitStoreUnavailableError(error)) {
          this.rejected++;
          return false;
        }
        throw error;
      },
    );
  }

  acquire(key: string, costs?: Costs<Name>, options?: AcquireOptions): Promise<void> {
    let vector: readonly number[];
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    try {
      expectKey(key);
      vector = costs === undefined ? this.ones : this.toVector(costs, true);
      if (options !== undefined) {
        timeoutMs = expectTimeout(options.timeoutMs);
        signal = expectSignal(options.signal);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) {
      this.aborted++;
      return Promise.reject(signal.reason);
    }
    if (this.closed) return Promise.reject(closedError());
    const kq = this.queues.get(key);
    const total = sum(vector);
    if (kq === undefined) {
      // Nobody waits on this key: ask the store directly.
      let result: number | Promise<number>;
      try {
        result = this.store.take(key, vector);
      } catch (error) {
        return Promise.reject(error);
      }
      if (typeof result === 'number') {
        if (result === 0) {
          this.admitted++;
          return RESOLVED;
        }
        if (timeoutMs !== undefined && result > timeoutMs)
          return this.rejectTimeout(key, total, timeoutMs, result);
        if (this.maxQueue === 0) return this.rejectQueueFull(key, total, result);
        return this.enqueue(key, vector, total, timeoutMs, signal, result);
      }
      // Remote store: the decision is in flight; queue now so that later calls for this key
      // line up behind this one, and let the queue settle it.
      return this.enqueue(key, vector, total, timeoutMs, signal, result);
    }
    if (timeoutMs !== undefined && this.store.remote !== true) {
      const ahead = this.ones.map(() => 0);
      for (const w of kq.queue.all())
        for (let i = 0; i < ahead.length; i++) ahead[i]! += w.costs[i]!;
      for (let i = 0; i < ahead.length; i++) ahead[i]! += vector[i]!;
      // Only an in-process store can predict without a round trip; a remote one relies on the timer.
      const predicted = this.store.waitTime(key, ahead);
      if (typeof predicted === 'number' && predicted > timeoutMs) {
        return this.rejectTimeout(key, total, timeoutMs, predicted);
      }
    }
    if (kq.queue.size >= this.maxQueue)
      return this.rejectQueueFull(key, total, Number.POSITIVE_INFINITY);
    return this.enqueue(key, vector, total, timeoutMs, signal, undefined);
  }

  async adjust(key: string, deltas: Costs<Name>): Promise<void> {
    expectKey(key);
    const vector = this.toVector(deltas, false);
    await this.store.adjust(key, vector);
    const kq = this.queues.get(key);
    if (kq !== undefined && !kq.busy) this.pump(key, kq);
  }

  async waitTimeMs(key: string, costs?: Costs<Name>): Promise<number> {
    expectKey(key);
    const vector = [...(costs === undefined ? this.ones : this.toVector(costs, true))];
    const kq = this.queues.get(key);
    if (kq !== undefined) {
      for (const w of kq.queue.all())
        for (let i = 0; i < vector.length; i++) vector[i]! += w.costs[i]!;
    }
    return this.store.waitTime(key, vector);
  }

  stats(): RateLimiterStats {
    return {
      limits: this.limits.map((l) => ({
        name: l.name,
        ratePerSecond: l.ratePerSecond,
        capacity: l.capacity,
      })),
      admitted: this.admitted,
      rejected: this.rejected,
      waited: this.waited,
      timedOut: this.timedOut,
      queueFull: this.queueFull,
      aborted: this.aborted,
      waitingKeys: this.queues.size,
      queued: this.queued,
      store: this.store.stats(),
    };
  }

  onReject(listener: (event: RateLimitRejectEvent) => void): () => void {
    return this.rejectEvents.on(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [, kq] of this.queues) {
      if (kq.timer !== undefined) clearTimeout(kq.timer);
      for (const w of kq.queue.all()) {
        this.removeWaiter(kq, w);
        w.reject(closedError());
      }
    }
    this.queues.clear();
    await this.store.close();
  }

  private toVector(costs: Costs<Name>, isCost: boolean): number[] {
    if (typeof costs !== 'object' || costs === null) {
      throw new TypeError(
        `Expected \`${isCost ? 'costs' : 'deltas'}\` to be an object of numbers by limit name, got \`${String(costs)}\` (${typeof costs})`,
      );
    }
    const vector = this.ones.map(() => 0);
    for (const name in costs) {
      const value = (costs as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const i = this.positions.get(name);
      if (i === undefined) {
        throw new TypeError(
          `Expected \`${isCost ? 'costs' : 'deltas'}\` to name only the limits ${[...this.positions.keys()].map((n) => `\`${n}\``).join(', ')}, got \`${name}\``,
        );
      }
      const capacity = this.normalized[i]!.capacity;
      if (isCost) {
        if (!(typeof value === 'number' && value >= 0 && value <= capacity)) {
          throw costError(`costs.${name}`, value, capacity);
        }
      } else if (typeof value !== 'number' || !Number.isFinite(value)) {
        const message = `Expected \`deltas.${name}\` to be a finite number, got \`${String(value)}\` (${typeof value})`;
        throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
      }
      vector[i] = value;
    }
    return vector;
  }

  private enqueue(
    key: string,
    costs: readonly number[],
    total: number,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    decision: number | Promise<number> | undefined,
  ): Promise<void> {
    let kq = this.queues.get(key);
    if (kq === undefined) {
      kq = { queue: new WaitQueue<KeyWaiter>(), timer: undefined, busy: false };
      this.queues.set(key, kq);
    }
    const queue = kq;
    return new Promise<void>((resolve, reject) => {
      const waiter: KeyWaiter = {
        done: false,
        costs,
        total,
        resolve,
        reject,
        deadline:
          timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs,
        timeoutMs,
        timer: undefined,
        signal,
        onAbort: undefined,
        counted: typeof decision === 'number' || queue.queue.size > 0,
      };
      if (waiter.counted) this.waited++;
      queue.queue.push(waiter);
      this.queued++;
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => this.onWaiterTimeout(key, queue, waiter), timeoutMs);
        waiter.timer.unref?.();
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this.onWaiterAbort(key, queue, waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (queue.queue.size === 1) {
        if (typeof decision === 'number') this.arm(key, queue, decision);
        else if (decision !== undefined) this.await(key, queue, waiter, decision);
        else this.pump(key, queue);
      }
    });
  }

  /** Admits waiters from the head of one key's queue while the store says yes. */
  private pump(key: string, kq: KeyQueue): void {
    if (kq.busy) return;
    if (kq.timer !== undefined) {
      clearTimeout(kq.timer);
      kq.timer = undefined;
    }
    for (;;) {
      const head = kq.queue.peek();
      if (head === undefined) {
        if (this.queues.get(key) === kq) this.queues.delete(key);
        return;
      }
      let result: number | Promise<number>;
      try {
        result = this.store.take(key, head.costs);
      } catch (error) {
        this.removeWaiter(kq, head);
        head.reject(error);
        continue;
      }
      if (typeof result !== 'number') {
        this.await(key, kq, head, result);
        return;
      }
      if (this.settle(key, kq, head, result)) return;
    }
  }

  /** Waits for a remote decision about `head`; no other decision for this key runs meanwhile. */
  private await(key: string, kq: KeyQueue, head: KeyWaiter, decision: Promise<number>): void {
    kq.busy = true;
    decision.then(
      (wait) => {
        kq.busy = false;
        if (head.done) {
          // The waiter left while the decision was in flight: give back what it was granted.
          if (wait === 0) {
            const refund = head.costs.map((c) => -c);
            Promise.resolve()
              .then(() => this.store.adjust(key, refund))
              .catch(() => {});
          }
        } else if (this.settle(key, kq, head, wait)) {
          return;
        }
        this.pump(key, kq);
      },
      (error: unknown) => {
        kq.busy = false;
        if (!head.done) {
          this.removeWaiter(kq, head);
          head.reject(error);
        }
        this.pump(key, kq);
      },
    );
  }

  /** Applies a store decision to the head; returns true when the queue must now wait. */
  private settle(key: string, kq: KeyQueue, head: KeyWaiter, wait: number): boolean {
    if (wait === 0) {
      this.removeWaiter(kq, head);
      this.admitted++;
      head.resolve();
      return false;
    }
    if (!head.counted) {
      if (this.maxQueue === 0) {
        // a remote first decision said "wait", and nobody may wait
        this.removeWaiter(kq, head);
        this.queueFull++;
        this.emitReject('queue-full', key, head.total, wait);
        head.reject(new QueueFullError({ maxQueue: 0 }));
        return false;
      }
      head.counted = true;
      this.waited++;
    }
    const now = performance.now();
    if (now + wait > head.deadline) {
      // The store's own prediction already passes this waiter's deadline.
      this.removeWaiter(kq, head);
      this.timedOut++;
      this.emitReject('timeout', key, head.total, wait);
      head.reject(
        new RateLimitTimeoutError({
          timeoutMs: head.timeoutMs!,
          retryAfterMs: wait,
          cost: head.total,
        }),
      );
      return false;
    }
    this.arm(key, kq, wait);
    return true;
  }

  private arm(key: string, kq: KeyQueue, wait: number): void {
    if (kq.timer !== undefined) clearTimeout(kq.timer);
    kq.timer = setTimeout(
      () => {
        kq.timer = undefined;
        this.pump(key, kq);
      },
      Math.max(1, wait),
    );
    // Ref'd on purpose, like the bucket's: it runs only while a caller awaits admission.
  }

  private removeWaiter(kq: KeyQueue, waiter: KeyWaiter): void {
    if (waiter.done) return;
    kq.queue.remove(waiter);
    this.queued--;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  private onWaiterAbort(key: string, kq: KeyQueue, waiter: KeyWaiter): void {
    if (waiter.done) return;
    this.removeWaiter(kq, waiter);
    this.aborted++;
    waiter.reject(waiter.signal?.reason);
    this.pump(key, kq);
  }

  private onWaiterTimeout(key: string, kq: KeyQueue, waiter: KeyWaiter): void {
    waiter.timer = undefined;
    if (!kq.busy) this.pump(key, kq); // admitted at this very tick beats timed out
    if (waiter.done) return;
    let retryAfterMs = Number.POSITIVE_INFINITY; // a remote store's answer would come too late
    if (this.store.remote !== true) {
      const ahead = this.ones.map(() => 0);
      for (const w of kq.queue.ahead(waiter))
        for (let i = 0; i < ahead.length; i++) ahead[i]! += w.costs[i]!;
      const predicted = this.store.waitTime(key, ahead);
      if (typeof predicted === 'number') retryAfterMs = predicted;
      else predicted.catch(() => {});
    }
    this.removeWaiter(kq, waiter);
    this.timedOut++;
    this.emitReject('timeout', key, waiter.total, retryAfterMs);
    waiter.reject(
      new RateLimitTimeoutError({ timeoutMs: waiter.timeoutMs!, retryAfterMs, cost: waiter.total }),
    );
    this.pump(key, kq);
  }

  private rejectQueueFull(key: string, total: number, retryAfterMs: number): Promise<never> {
    this.queueFull++;
    this.emitReject('queue-full', key, total, retryAfterMs);
    return Promise.reject(new QueueFullError({ maxQueue: this.maxQueue }));
  }

  private rejectTimeout(
    key: string,
    total: number,
    timeoutMs: number,
    predicted: number,
  ): Promise<never> {
    this.timedOut++;
    this.emitReject('timeout', key, total, predicted);
    return Promise.reject(
      new RateLimitTimeoutError({ timeoutMs, retryAfterMs: predicted, cost: total }),
    );
  }

  private emitReject(
    reason: 'timeout' | 'queue-full',
    key: string,
    cost: number,
    retryAfterMs: number,
  ): void {
    if (this.rejectEvents.active) this.rejectEvents.emit({ reason, key, cost, retryAfterMs });
  }
}

function expectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new TypeError(`Expected \`key\` to be a string, got \`${String(key)}\` (${typeof key})`);
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function closedError(): Error {
  return new DOMException('The rate limiter was closed', 'AbortError');
}

/**
 * Creates a keyed rate limiter with several limits per key (for example `requests` and `tokens`)
 * that admit a request all together or not at all. State lives in `store` (in-process by
 * default, or Redis through `@x/rate-limit/redis`).
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * const limiter = createRateLimiter({
 *   limits: { requests: { ratePerSecond: 60 }, tokens: { ratePerSecond: 2_500, capacity: 150_000 } },
 * });
 * await limiter.acquire('team-a', { requests: 1, tokens: 1_200 }, { timeoutMs: 5_000 });
 * await limiter.adjust('team-a', { tokens: -300 }); // the reply used 900 tokens
 * ```
 */
export function createRateLimiter<Name extends string>(
  options: RateLimiterOptions<Name>,
): RateLimiter<Name> {
  return new RateLimiterImpl(options);
}
