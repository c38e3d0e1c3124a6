import { onAbort } from './abort';
import { type LongTimer, setLongTimeout } from './timers';

/** A waiter as its owner sees it: the owner's own value, and whether it has left the queue. */
export interface Waiting<T> {
  readonly value: T;
  /** True once the waiter left the queue: admitted, aborted, timed out or cleared. */
  readonly done: boolean;
}

interface Entry<T> extends Waiting<T> {
  done: boolean;
  timer: LongTimer | undefined;
  stopAbort: (() => void) | undefined;
}

/** What the owner of a {@link WaiterQueue} decides; every hook is optional. */
export interface WaiterQueueHooks<T> {
  /**
   * The waiter's `timeoutMs` ran out. It is still queued: the owner may admit it at this very
   * tick, or {@link WaiterQueue.remove} it and reject it.
   */
  onTimeout?(waiter: Waiting<T>): void;
  /** The waiter's signal aborted. It has already left the queue; the owner rejects it. */
  onAbort?(waiter: Waiting<T>, reason: unknown): void;
  /** The timer armed by {@link WaiterQueue.wakeIn} fired (typically: look at the head again). */
  onWake?(): void;
  /**
   * Waiters' timeout timers keep the process alive. For a queue that has no wake-up timer (a
   * concurrency limiter, whose waiters are admitted by other callers' releases): there, the
   * timeout is all that settles a waiter whose slot holder never gives it back, and an `await`
   * of it must reject when it runs out, not let the process exit unsettled.
   */
  refTimeouts?: boolean | undefined;
}

/** A consumed prefix longer than this, and longer than the live part, is cut off the array. */
const COMPACT_AFTER = 1024;

/**
 * The life cycle every queue of callers shares: a strict FIFO with O(1) push, peek and shift and
 * O(1) removal from the middle (an aborted or timed-out waiter is only marked `done` and skipped
 * when it reaches the head); one optional timeout timer and one abort listener per waiter, both
 * released the moment it leaves; a bound (`maxQueue`); and one wake-up timer for the head.
 *
 * The queue decides nothing: admission (tokens, free slots, a remote store's answer) and the
 * errors a waiter is rejected with belong to the owner, through {@link WaiterQueueHooks}.
 *
 * Timers: a waiter's timeout timer is `unref()`'d (a caller who gives up must not keep the process
 * alive), unless the queue has no wake-up timer (`refTimeouts`); the wake-up timer is ref'd, because it exists only while a caller awaits admission and a
 * script whose only pending work is that `await` must not exit first. Both accept any delay (a far
 * deadline is chained, never fired early, never spinning). The abort listener goes through
 * `onAbort`, so many waiters sharing one signal print no `MaxListenersExceededWarning`.
 */
export class WaiterQueue<T> {
  /** The most waiters queued at once (`Infinity`: no bound). */
  readonly maxQueue: number;
  #items: Entry<T>[] = [];
  #head = 0;
  #size = 0;
  #wake: LongTimer | undefined;
  readonly #hooks: WaiterQueueHooks<T>;
  readonly #fire = (): void => {
    this.#wake = undefined;
    this.#hooks.onWake?.();
  };

  constructor(hooks: WaiterQueueHooks<T> = {}, maxQueue = Number.POSITIVE_INFINITY) {
    this.#hooks = hooks;
    this.maxQueue = maxQueue;
  }

  /** Live waiters. */
  get size(): number {
    return this.#size;
  }

  /** True when `maxQueue` waiters are queued: one more must be turned away. */
  get full(): boolean {
    return this.#size >= this.maxQueue;
  }

  /**
   * Queues `value` at the tail. `timeoutMs` (any delay >= 0) arms its timeout timer; `signal`
   * (which must not be aborted already: the owner rejects those without queueing) its abort
   * listener. Does not look at `maxQueue`: the owner checks {@link full} first, since it decides
   * what a full queue means.
   */
  push(value: T, signal?: AbortSignal, timeoutMs?: number): Waiting<T> {
    const entry: Entry<T> = { value, done: false, timer: undefined, stopAbort: undefined };
    this.#items.push(entry);
    this.#size++;
    if (timeoutMs !== undefined) {
      entry.timer = setLongTimeout(
        () => {
          entry.timer = undefined;
          if (!entry.done) this.#hooks.onTimeout?.(entry);
        },
        timeoutMs,
        this.#hooks.refTimeouts === true,
      );
    }
    if (signal !== undefined) {
      entry.stopAbort = onAbort(signal, () => {
        if (this.remove(entry)) this.#hooks.onAbort?.(entry, signal.reason);
      });
    }
    return entry;
  }

  /** The oldest live waiter, if any. */
  peek(): Waiting<T> | undefined {
    const items = this.#items;
    while (this.#head < items.length && items[this.#head]!.done) this.#head++;
    if (this.#head >= items.length) {
      if (items.length > 0) {
        this.#items = [];
        this.#head = 0;
      }
      return undefined;
    }
    if (this.#head > COMPACT_AFTER && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return this.#items[this.#head];
  }

  /** Takes the oldest live waiter out of the queue. */
  shift(): Waiting<T> | undefined {
    const head = this.peek();
    if (head !== undefined) this.remove(head);
    return head;
  }

  /**
   * Takes a waiter out of the queue (the head or any other) and releases its timer and abort
   * listener. Returns false when it had left already.
   */
  remove(waiter: Waiting<T>): boolean {
    const entry = waiter as Entry<T>;
    if (entry.done) return false;
    entry.done = true;
    this.#size--;
    if (entry.timer !== undefined) {
      entry.timer.clear();
      entry.timer = undefined;
    }
    if (entry.stopAbort !== undefined) {
      entry.stopAbort();
      entry.stopAbort = undefined;
    }
    if (this.#size === 0) this.sleep();
    return true;
  }

  /** Live waiters oldest first, up to and including `until` (what is queued ahead of it). */
  *ahead(until: Waiting<T>): Generator<Waiting<T>> {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const entry = items[i]!;
      if (entry.done && entry !== until) continue;
      yield entry;
      if (entry === until) return;
    }
  }

  /** Every live waiter, oldest first. */
  *[Symbol.iterator](): Generator<Waiting<T>> {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const entry = items[i]!;
      if (!entry.done) yield entry;
    }
  }

  /**
   * Arms the wake-up timer `ms` from now (any delay; below 1 ms counts as 1), replacing the one
   * armed before: the queue has one head, so it needs one timer.
   */
  wakeIn(ms: number): void {
    this.#wake?.clear();
    this.#wake = setLongTimeout(this.#fire, Number.isNaN(ms) ? 1 : Math.max(ms, 1), true);
  }

  /** Cancels the wake-up timer. */
  sleep(): void {
    if (this.#wake !== undefined) {
      this.#wake.clear();
      this.#wake = undefined;
    }
  }

  /** Takes every live waiter out of the queue (oldest first) for the owner to reject. */
  clear(): Waiting<T>[] {
    const out = [...this];
    for (const entry of out) this.remove(entry);
    this.sleep();
    this.#items = [];
    this.#head = 0;
    return out;
  }
}
