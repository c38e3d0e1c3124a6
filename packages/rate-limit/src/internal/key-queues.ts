import { type Topic, WaiterQueue, type Waiting } from '@x/internal';
import { QueueFullError, RateLimitTimeoutError } from '../errors';
import type { RateLimitRejectEvent } from '../events';
import type { RateLimiterStats } from '../rate-limiter-api';
import type { BoundRateLimitStore, ResolvedLimit } from '../store';
import { PausedKeys } from './paused-keys';

/** The counters a rate limiter reports in `stats()`; the key queues update them too. */
export type LimiterCounters = Pick<
  RateLimiterStats,
  | 'admitted'
  | 'rejected'
  | 'waited'
  | 'timedOut'
  | 'queueFull'
  | 'aborted'
  | 'cancelled'
  | 'failed'
  | 'queued'
>;

interface KeyWaiter {
  readonly costs: readonly number[];
  readonly total: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly deadline: number;
  readonly timeoutMs: number | undefined;
  /** counted in `waited` */
  counted: boolean;
}

/** One key's waiters; exists only while someone waits on that key. */
interface KeyQueue {
  readonly key: string;
  readonly queue: WaiterQueue<KeyWaiter>;
  /** A store decision for the head is in flight (remote stores). */
  busy: boolean;
}

/**
 * The waiting side of a rate limiter: one FIFO per key (the shared {@link WaiterQueue} life
 * cycle), whose head asks the store again when its wake-up fires, with remote decisions kept one
 * at a time per key so that a key's callers are decided in order.
 */
export class KeyQueues {
  readonly #queues = new Map<string, KeyQueue>();
  /** Keys held back by `pauseFor()`. */
  readonly #paused: PausedKeys;
  readonly #store: BoundRateLimitStore;
  readonly #maxQueue: number;
  readonly #counters: LimiterCounters;
  readonly #rejects: Topic<RateLimitRejectEvent>;
  readonly #width: number;

  constructor(
    store: BoundRateLimitStore,
    maxQueue: number,
    counters: LimiterCounters,
    rejects: Topic<RateLimitRejectEvent>,
    limits: readonly ResolvedLimit[],
  ) {
    const width = limits.length;
    this.#paused = new PausedKeys(store, limits);
    this.#store = store;
    this.#maxQueue = maxQueue;
    this.#counters = counters;
    this.#rejects = rejects;
    this.#width = width;
  }

  /** Keys with waiters now. */
  get size(): number {
    return this.#queues.size;
  }

  /** True when someone waits on `key` (then a new call must queue behind them). */
  has(key: string): boolean {
    return this.#queues.size !== 0 && this.#queues.has(key);
  }

  /** How many wait on `key`. */
  waiting(key: string): number {
    return this.#queues.get(key)?.queue.size ?? 0;
  }

  /** The summed costs of `key`'s waiters plus `costs` (what a newcomer waits for). */
  totalWith(key: string, costs: readonly number[]): number[] {
    const total = [...costs];
    const kq = this.#queues.get(key);
    if (kq !== undefined) for (const w of kq.queue) this.#add(total, w.value.costs);
    return total;
  }

  /**
   * Queues a call on `key`. `decision` is what the store said for it already: a wait in ms (an
   * in-process store), a pending answer (a remote store: later calls for the key line up behind
   * it), or nothing (others wait on the key: it goes to the back).
   */
  enqueue(
    key: string,
    costs: readonly number[],
    total: number,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    decision: number | Promise<number> | undefined,
  ): Promise<void> {
    const kq = this.#queues.get(key) ?? this.#create(key);
    return new Promise<void>((resolve, reject) => {
      const value: KeyWaiter = {
        costs,
        total,
        resolve,
        reject,
        deadline:
          timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs,
        timeoutMs,
        counted: typeof decision === 'number' || kq.queue.size > 0,
      };
      if (value.counted) this.#counters.waited++;
      const waiter = kq.queue.push(value, signal, timeoutMs);
      this.#counters.queued++;
      if (kq.queue.size === 1) {
        if (typeof decision === 'number') kq.queue.wakeIn(decision);
        else if (decision !== undefined) this.#await(kq, waiter, decision);
        else this.#pump(kq);
      }
    });
  }

  /**
   * Ms left of `key`'s pause, 0 when it is not paused. A pause seen over here empties the key's
   * limits, whoever asks first (a waiter, tryAcquire, a new acquire).
   */
  pausedFor(key: string): number {
    return this.#paused.left(key);
  }

  /**
   * Holds `key` back until `until` (never shortens a pause): its waiters wake then. The limits
   * refill meanwhile, so they are emptied when it ends: calls then leave at the limits' pace, not
   * all at once (a server that said "wait" is not met with a burst).
   */
  pause(key: string, until: number): void {
    if (!this.#paused.extend(key, until)) return;
    const kq = this.#queues.get(key);
    if (kq !== undefined && !kq.busy) kq.queue.wakeIn(until - performance.now());
  }

  /** Looks at `key`'s head again (after an `adjust()` refunded tokens). */
  wake(key: string): void {
    const kq = this.#queues.get(key);
    if (kq !== undefined && !kq.busy) this.#pump(kq);
  }

  /**
   * Takes every waiter of every key out, oldest first per key, for the owner to reject with
   * `RateLimitClosedError` (counted as `cancelled`).
   */
  clear(): ((reason: unknown) => void)[] {
    const rejects: ((reason: unknown) => void)[] = [];
    for (const kq of this.#queues.values()) {
      for (const w of kq.queue.clear()) rejects.push(w.value.reject);
    }
    this.#counters.cancelled += rejects.length;
    this.#counters.queued = 0;
    this.#queues.clear();
    return rejects;
  }

  /** Rejects a call that may not wait because `maxQueue` waiters are queued on its key. */
  rejectQueueFull(key: string, total: number, retryAfterMs: number): Promise<never> {
    this.#counters.queueFull++;
    this.emitReject('queue-full', key, total, retryAfterMs);
    return Promise.reject(new QueueFullError({ maxQueue: this.#maxQueue }));
  }

  /** Rejects a call whose predicted wait exceeds its `timeoutMs`. */
  rejectTimeout(key: string, total: number, timeoutMs: number, predicted: number): Promise<never> {
    this.#counters.timedOut++;
    this.emitReject('timeout', key, total, predicted);
    return Promise.reject(
      new RateLimitTimeoutError({ timeoutMs, retryAfterMs: predicted, cost: total }),
    );
  }

  emitReject(
    reason: 'timeout' | 'queue-full',
    key: string,
    cost: number,
    retryAfterMs: number,
  ): void {
    if (this.#rejects.active) this.#rejects.emit({ reason, key, cost, retryAfterMs });
  }

  #create(key: string): KeyQueue {
    const kq: KeyQueue = {
      key,
      busy: false,
      queue: new WaiterQueue<KeyWaiter>(
        {
          onTimeout: (waiter) => this.#onTimeout(kq, waiter),
          onAbort: (waiter, reason) => {
            this.#counters.queued--;
            this.#counters.aborted++;
            waiter.value.reject(reason);
            this.#pump(kq);
          },
          onWake: () => this.#pump(kq),
        },
        this.#maxQueue,
      ),
    };
    this.#queues.set(key, kq);
    return kq;
  }

  #add(into: number[], costs: readonly number[]): void {
    for (let i = 0; i < this.#width; i++) into[i]! += costs[i]!;
  }

  /**
   * Takes a waiter out of its key's queue. The key's last waiter takes the queue out of the map
   * at once, before the caller emits or settles anything: a `reject` listener (or the code after
   * an awaited rejection) then finds the key free, in `stats()` and to `tryAcquire()`, and a call
   * it makes on the key starts a queue of its own. A queue busy with a remote decision stays: that
   * decision's answer comes back to it.
   */
  #remove(kq: KeyQueue, waiter: Waiting<KeyWaiter>): void {
    if (!kq.queue.remove(waiter)) return;
    this.#counters.queued--;
    if (kq.queue.size === 0 && !kq.busy) this.#forget(kq);
  }

  #forget(kq: KeyQueue): void {
    if (this.#queues.get(kq.key) === kq) this.#queues.delete(kq.key);
  }

  /** Admits waiters from the head of one key's queue while the store says yes. */
  #pump(kq: KeyQueue): void {
    if (kq.busy) return;
    kq.queue.sleep();
    for (;;) {
      const head = kq.queue.peek();
      if (head === undefined) {
        this.#forget(kq);
        return;
      }
      // Looked at before every decision, not once per pump: settling a head emits `reject`, and
      // a listener may pause the key (a 429 seen elsewhere) before the next head is decided.
      const paused = this.pausedFor(kq.key);
      if (paused > 0) {
        kq.queue.wakeIn(paused);
        return;
      }
      let result: number | Promise<number>;
      try {
        result = this.#store.take(kq.key, head.value.costs);
      } catch (error) {
        this.#remove(kq, head);
        this.#counters.failed++;
        head.value.reject(error);
        continue;
      }
      if (typeof result !== 'number') {
        this.#await(kq, head, result);
        return;
      }
      if (this.#settle(kq, head, result)) return;
    }
  }

  /** Waits for a remote decision about `head`; no other decision for this key runs meanwhile. */
  #await(kq: KeyQueue, head: Waiting<KeyWaiter>, decision: Promise<number>): void {
    kq.busy = true;
    decision.then(
      (wait) => {
        kq.busy = false;
        if (head.done) {
          // The waiter left while the decision was in flight: give back what it was granted.
          if (wait === 0) {
            const refund = head.value.costs.map((c) => -c);
            Promise.resolve()
              .then(() => this.#store.adjust(kq.key, refund))
              .catch(() => {});
          }
        } else if (this.#settle(kq, head, wait)) {
          return;
        }
        this.#pump(kq);
      },
      (error: unknown) => {
        kq.busy = false;
        // a waiter that left meanwhile is already counted (aborted, timed out)
        if (!head.done) {
          this.#remove(kq, head);
          this.#counters.failed++;
          head.value.reject(error);
        }
        this.#pump(kq);
      },
    );
  }

  /** Applies a store decision to the head; returns true when the queue must now wait. */
  #settle(kq: KeyQueue, head: Waiting<KeyWaiter>, wait: number): boolean {
    const waiter = head.value;
    if (wait === 0) {
      this.#remove(kq, head);
      this.#counters.admitted++;
      waiter.resolve();
      return false;
    }
    if (!waiter.counted && this.#maxQueue === 0) {
      // a remote first decision said "wait", and nobody may wait
      this.#remove(kq, head);
      this.#counters.queueFull++;
      this.emitReject('queue-full', kq.key, waiter.total, wait);
      waiter.reject(new QueueFullError({ maxQueue: 0 }));
      return false;
    }
    if (performance.now() + wait > waiter.deadline) {
      // The store's own prediction already passes this waiter's deadline.
      this.#remove(kq, head);
      this.#counters.timedOut++;
      this.emitReject('timeout', kq.key, waiter.total, wait);
      waiter.reject(
        new RateLimitTimeoutError({
          timeoutMs: waiter.timeoutMs!,
          retryAfterMs: wait,
          cost: waiter.total,
        }),
      );
      return false;
    }
    // Counted only now: a first decision past the deadline is refused without having waited, as
    // the in-process path and the other limiters count it.
    if (!waiter.counted) {
      waiter.counted = true;
      this.#counters.waited++;
    }
    // However far (a tiny rate, a debt): the wake-up is chained, it never fires early or spins.
    kq.queue.wakeIn(wait);
    return true;
  }

  #onTimeout(kq: KeyQueue, waiter: Waiting<KeyWaiter>): void {
    if (!kq.busy) this.#pump(kq); // admitted at this very tick beats timed out
    if (waiter.done) return;
    let retryAfterMs = Number.POSITIVE_INFINITY; // a remote store's answer would come too late
    if (this.#store.remote !== true) {
      const ahead = new Array<number>(this.#width).fill(0);
      for (const w of kq.queue.ahead(waiter)) this.#add(ahead, w.value.costs);
      const predicted = this.#store.waitTime(kq.key, ahead);
      if (typeof predicted === 'number') retryAfterMs = predicted;
      else predicted.catch(() => {});
    }
    // A pause holds the key whatever the store: the retry comes after it, not before.
    const paused = this.pausedFor(kq.key);
    if (paused > retryAfterMs) retryAfterMs = paused;
    this.#remove(kq, waiter);
    this.#counters.timedOut++;
    const { total, timeoutMs } = waiter.value;
    this.emitReject('timeout', kq.key, total, retryAfterMs);
    waiter.value.reject(
      new RateLimitTimeoutError({ timeoutMs: timeoutMs!, retryAfterMs, cost: total }),
    );
    this.#pump(kq);
  }
}
