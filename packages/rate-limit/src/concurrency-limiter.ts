import {
  expected,
  expectLogger,
  expectNumber,
  PackageLog,
  Topic,
  WaiterQueue,
  type Waiting,
} from '@x/internal';
import { ConcurrencyTimeoutError, QueueFullError, RateLimitClosedError } from './errors';
import type { ConcurrencyRejectEvent } from './events';
import { StatsView } from './internal/stats-view';
import { logConcurrencyRejects, type RateLimitLogger } from './log';
import {
  type AcquireOptions,
  expectAcquireOptions,
  expectOptions,
  expectQueueLimit,
  optionalTimeout,
  readSignal,
} from './options';

/** Options of {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /**
   * The most calls that hold a slot at once (a local Ollama's `OLLAMA_NUM_PARALLEL`, a
   * provider's concurrent-request cap).
   * Range: an integer >= 1.
   */
  maxConcurrent: number;
  /**
   * The most callers that may wait for a slot; one more rejects with `QueueFullError`.
   * @default Infinity
   * Range: an integer >= 0, or `Infinity`.
   */
  maxQueue?: number | undefined;
  /**
   * The longest a caller waits for a slot, in ms, unless its call says otherwise; then it
   * rejects with `ConcurrencyTimeoutError`. 0: never wait.
   * @default undefined (wait as long as it takes)
   * Range: 0 to 2^31-1.
   */
  timeoutMs?: number | undefined;
  /**
   * pino, `console` or any {@link RateLimitLogger}: calls turned away (a wait that timed out, a
   * full queue) at debug (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: RateLimitLogger | undefined;
}

/** Gives the slot back. Idempotent: a second call does nothing. */
export type Release = () => void;

/**
 * A JSON-serialisable snapshot of a concurrency limiter; counters never reset. Each call that
 * passed its argument checks lands in exactly one of `admitted`, `rejected`, `timedOut`,
 * `queueFull`, `aborted` and `cancelled`; `waited` counts those of them that queued.
 */
export interface ConcurrencyLimiterStats {
  maxConcurrent: number;
  /** `null` when the queue is unbounded (`Infinity`, which `JSON.stringify` would turn into `null` anyway). */
  maxQueue: number | null;
  /** Slots held now. */
  active: number;
  /** Callers waiting for a slot now. */
  queued: number;
  /** Slots granted (`tryAcquire` returning a release, resolved `acquire`, started `run`). */
  admitted: number;
  /** `tryAcquire` calls that found no free slot. */
  rejected: number;
  /** Calls that had to wait. */
  waited: number;
  /** Calls rejected with `ConcurrencyTimeoutError`. */
  timedOut: number;
  /** Calls rejected with `QueueFullError`. */
  queueFull: number;
  /** Calls ended by their signal (while waiting, or aborted already). */
  aborted: number;
  /** Calls rejected with `RateLimitClosedError`: waiting when `close()` ran, or made after it. */
  cancelled: number;
  /** Slots given back. */
  released: number;
  /** `close()` was called. */
  closed: boolean;
}

/** A concurrency limiter: see {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiter {
  readonly maxConcurrent: number;
  /** Slots held now. */
  readonly active: number;
  /** Callers waiting now. */
  readonly queued: number;
  /**
   * Waits in a strict FIFO queue for a slot; resolves with its {@link Release}. Rejects with
   * `ConcurrencyTimeoutError` when `timeoutMs` runs out, `QueueFullError` when `maxQueue`
   * callers wait, `signal.reason` on abort (the queue place is freed), and
   * `RateLimitClosedError` after `close()`.
   */
  acquire(options?: AcquireOptions): Promise<Release>;
  /** Takes a free slot now, if there is one and nobody waits; `undefined` otherwise. */
  tryAcquire(): Release | undefined;
  /**
   * Runs `fn` in a slot (waiting like `acquire`) and gives the slot back when it settles,
   * whether it resolves, rejects or throws. The signal ends the wait only: once `fn` runs,
   * stopping it is up to `fn`.
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>>;
  /** A JSON-serialisable snapshot. */
  stats(): ConcurrencyLimiterStats;
  /** Listens to calls turned away; returns an unsubscribe function. */
  onReject(listener: (event: ConcurrencyRejectEvent) => void): () => void;
  /**
   * Rejects every waiter with `RateLimitClosedError`; later calls reject the same way and
   * `tryAcquire()` returns `undefined`. Slots already held stay valid until released. The
   * returned promise resolves once the waiters are rejected (it never rejects); a second call is a
   * no-op.
   */
  close(): Promise<void>;
  /** Calls `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface SlotWaiter {
  readonly timeoutMs: number | undefined;
  readonly resolve: (release: Release) => void;
  readonly reject: (reason: unknown) => void;
}

const KEYS = ['maxConcurrent', 'maxQueue', 'timeoutMs', 'logger'] as const;
const RESOLVED: Promise<void> = Promise.resolve();

class ConcurrencyLimiterImpl extends StatsView implements ConcurrencyLimiter {
  readonly maxConcurrent: number;
  #active = 0;
  #closed = false;
  readonly #timeoutMs: number | undefined;
  readonly #queue: WaiterQueue<SlotWaiter>;
  readonly #rejects = new Topic<ConcurrencyRejectEvent>('rate-limit', 'concurrency-reject');
  readonly #counters = {
    admitted: 0,
    rejected: 0,
    waited: 0,
    timedOut: 0,
    queueFull: 0,
    aborted: 0,
    cancelled: 0,
    released: 0,
  };

  constructor(options: ConcurrencyLimiterOptions) {
    super('ConcurrencyLimiter');
    const o = checkConcurrencyLimiterOptions(options);
    this.maxConcurrent = o.maxConcurrent;
    this.#timeoutMs = o.timeoutMs;
    this.#queue = new WaiterQueue<SlotWaiter>(
      {
        onTimeout: (waiter) => this.#onTimeout(waiter),
        onAbort: (waiter, reason) => {
          this.#counters.aborted++;
          waiter.value.reject(reason);
        },
        // No wake-up timer here: a slot comes back from another caller, or never (a leaked
        // one), and `await acquire()` must then reject at its timeout, not exit unsettled.
        refTimeouts: true,
      },
      o.maxQueue,
    );
    logConcurrencyRejects(new PackageLog('rate-limit', o.logger), this.#rejects);
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.size;
  }

  acquire(options?: AcquireOptions): Promise<Release> {
    const entered = this.#enter(options);
    return typeof entered === 'function' ? Promise.resolve(entered) : entered;
  }

  tryAcquire(): Release | undefined {
    if (this.#closed || this.#active >= this.maxConcurrent || this.#queue.size !== 0) {
      this.#counters.rejected++;
      return undefined;
    }
    return this.#grant();
  }

  run<T>(fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>> {
    if (typeof fn !== 'function') {
      return Promise.reject(new TypeError(expected('fn', 'a function', fn)));
    }
    // A free slot runs `fn` at once, without a promise to hand over the slot or a release to make.
    if (options === undefined && this.#free()) return this.#runNow(fn);
    const entered = this.#enter(options);
    if (typeof entered === 'function') return runHeld(entered, fn);
    return entered.then((release) => runHeld(release, fn));
  }

  stats(): ConcurrencyLimiterStats {
    return {
      maxConcurrent: this.maxConcurrent,
      maxQueue: Number.isFinite(this.#queue.maxQueue) ? this.#queue.maxQueue : null,
      active: this.#active,
      queued: this.#queue.size,
      ...this.#counters,
      closed: this.#closed,
    };
  }

  onReject(listener: (event: ConcurrencyRejectEvent) => void): () => void {
    return this.#rejects.on(listener);
  }

  close(): Promise<void> {
    // Closing is synchronous (the waiters are rejected before this returns): nothing to await.
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    const waiters = this.#queue.clear();
    this.#counters.cancelled += waiters.length;
    for (const waiter of waiters) waiter.value.reject(closedError());
    return RESOLVED;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The admission of `acquire()` and `run()`: a {@link Release} when a slot is free now (nobody
   * waits), otherwise the promise of one (or of the rejection).
   */
  #enter(options: AcquireOptions | undefined): Release | Promise<Release> {
    let timeoutMs = this.#timeoutMs;
    let signal: AbortSignal | undefined;
    let aborted = false;
    if (options !== undefined) {
      try {
        const o = expectAcquireOptions(options);
        if (o.timeoutMs !== undefined) timeoutMs = optionalTimeout('timeoutMs', o.timeoutMs);
        aborted = readSignal(o.signal);
        signal = o.signal;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (aborted) {
      this.#counters.aborted++;
      return Promise.reject(signal!.reason);
    }
    if (this.#closed) {
      this.#counters.cancelled++;
      return Promise.reject(closedError());
    }
    if (this.#free()) return this.#grant();
    if (timeoutMs === 0) {
      this.#counters.timedOut++;
      this.#emitReject('timeout');
      return Promise.reject(this.#timeoutError(0));
    }
    if (this.#queue.full) {
      this.#counters.queueFull++;
      this.#emitReject('queue-full');
      return Promise.reject(new QueueFullError({ maxQueue: this.#queue.maxQueue }));
    }
    this.#counters.waited++;
    return new Promise<Release>((resolve, reject) => {
      this.#queue.push({ timeoutMs, resolve, reject }, signal, timeoutMs);
    });
  }

  /** True when a caller may take a slot now: one is free and nobody waits for it. */
  #free(): boolean {
    return !this.#closed && this.#active < this.maxConcurrent && this.#queue.size === 0;
  }

  /** Takes a slot; the release it returns gives it back once. */
  #grant(): Release {
    this.#active++;
    this.#counters.admitted++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#giveBack();
    };
  }

  async #runNow<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    this.#active++;
    this.#counters.admitted++;
    try {
      return await fn();
    } finally {
      this.#giveBack();
    }
  }

  /** A slot comes back: the oldest waiter takes it at once (FIFO, no barging by `tryAcquire`). */
  #giveBack(): void {
    this.#active--;
    this.#counters.released++;
    if (this.#queue.size === 0) return;
    const next = this.#queue.shift();
    if (next !== undefined) next.value.resolve(this.#grant());
  }

  #onTimeout(waiter: Waiting<SlotWaiter>): void {
    this.#queue.remove(waiter);
    this.#counters.timedOut++;
    this.#emitReject('timeout');
    waiter.value.reject(this.#timeoutError(waiter.value.timeoutMs!));
  }

  #timeoutError(timeoutMs: number): ConcurrencyTimeoutError {
    return new ConcurrencyTimeoutError({ timeoutMs, maxConcurrent: this.maxConcurrent });
  }

  #emitReject(reason: 'timeout' | 'queue-full'): void {
    if (this.#rejects.active) {
      this.#rejects.emit({ reason, active: this.#active, queued: this.#queue.size });
    }
  }
}

function closedError(): Error {
  return new RateLimitClosedError('concurrency limiter');
}

/** Runs `fn` in a held slot and gives the slot back when it settles, however it settles. */
async function runHeld<T>(release: Release, fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * Creates a concurrency limiter: at most `maxConcurrent` calls hold a slot at once, the others
 * wait in a strict FIFO queue (bounded by `maxQueue`, each for at most `timeoutMs`, each
 * abortable). Where a token bucket limits how many calls *start* per second, this limits how
 * many *run* at once: a local Ollama's real limit is its parallel slots.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * await using slots = createConcurrencyLimiter({ maxConcurrent: 4, timeoutMs: 30_000 });
 * const answer = await slots.run(() => ollama.chat(request), { signal });
 * ```
 */
/**
 * The options, checked, creating nothing: for the constructor and for `sharedConcurrencyLimiter`'s
 * check of a later ask's options.
 */
export function checkConcurrencyLimiterOptions(options: unknown) {
  const o = expectOptions(undefined, options, KEYS);
  return {
    maxConcurrent: expectNumber('maxConcurrent', o.maxConcurrent, { min: 1, integer: true }),
    timeoutMs: optionalTimeout('timeoutMs', o.timeoutMs),
    maxQueue: expectQueueLimit('maxQueue', o.maxQueue),
    logger: expectLogger('logger', o.logger),
  };
}

/**
 * Creates an in-process concurrency limiter: at most `maxConcurrent` slots held at once, callers
 * beyond them waiting in a FIFO queue (bounded by `maxQueue` and `timeoutMs`). See the README's
 * `createConcurrencyLimiter` section, and "Rate or concurrency" for when to choose which.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * await using slots = createConcurrencyLimiter({ maxConcurrent: 4, timeoutMs: 30_000 });
 * const answer = await slots.run(() => callOllama(prompt));
 * ```
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  return new ConcurrencyLimiterImpl(options);
}
