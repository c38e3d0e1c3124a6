import { onAbort } from '@x/internal';
import type { Dispatcher } from 'undici';
import { failHandler, requestSignal } from './handlers';
import type { OriginState } from './origins';

type Handler = Dispatcher.DispatchHandler;
type DispatchOptions = Dispatcher.DispatchOptions;

/** A request waiting for a slot. */
export interface QueueItem {
  opts: DispatchOptions;
  handler: Handler;
  origin: OriginState;
  enqueuedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the listener on the caller's signal that drops the item when it aborts. */
  stopListening: (() => void) | undefined;
  done: boolean;
}

/**
 * The requests waiting for a slot, one FIFO per origin (kept on the origin), each with its queue
 * timeout and an abort listener on its signal. A queued request times out or is aborted without
 * ever touching a socket. The dispatcher decides when an item leaves the queue for a slot.
 */
export class RequestQueue {
  readonly #timeoutMs: number;
  /** Called when an item waited `timeoutMs`; it is still queued (the owner drops it). */
  readonly #onExpire: (item: QueueItem, waitedMs: number) => void;
  #total = 0;
  #onEmpty: (() => void) | undefined;

  constructor(timeoutMs: number, onExpire: (item: QueueItem, waitedMs: number) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  /** Requests queued over every origin. */
  get total(): number {
    return this.#total;
  }

  /**
   * Queues a request at the back of its origin's line. Its signal is not aborted yet: the
   * dispatcher refuses an aborted one before choosing a slot or the queue.
   */
  add(origin: OriginState, opts: DispatchOptions, handler: Handler): void {
    const abortSignal = requestSignal(opts);
    const item: QueueItem = {
      opts,
      handler,
      origin,
      enqueuedAt: performance.now(),
      timer: undefined,
      stopListening: undefined,
      done: false,
    };
    const timeoutMs = this.#timeoutMs;
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      // Ref'd: it bounds a request its caller awaits. Unref'd, a request queued behind sockets
      // that hold no handle (one waiting for a resolver that never answers) would let the
      // process exit with it unsettled instead of failing it with PoolTimeoutError. It is
      // cleared as soon as the request leaves the queue.
      item.timer = setTimeout(() => this.#expire(item), timeoutMs);
    }
    if (abortSignal !== undefined) {
      item.stopListening = onAbort(abortSignal, () => this.drop(item, abortSignal.reason));
    }
    origin.queue.push(item);
    origin.queued++;
    this.#total++;
  }

  /** Takes the oldest waiting request of `origin` off the queue, if any. */
  shift(origin: OriginState): QueueItem | undefined {
    const queue = origin.queue;
    while (origin.head < queue.length) {
      const item = queue[origin.head];
      queue[origin.head++] = undefined;
      if (item !== undefined && !item.done) {
        this.#settle(item);
        this.#compact(origin);
        return item;
      }
    }
    this.#compact(origin);
    return undefined;
  }

  /** Takes a waiting request off the queue and fails its handler with `error`. */
  drop(item: QueueItem, error: unknown): void {
    if (item.done) return;
    this.#settle(item);
    this.#sweep(item.origin);
    failHandler(item.handler, error as Error);
  }

  /** Settles once no request is queued any more. */
  whenEmpty(): Promise<void> {
    if (this.#total === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onEmpty = resolve;
    });
  }

  /**
   * Lets go of dropped items (aborted or timed out) once they outnumber the live ones. Only
   * `shift()` walks the array, and it runs when a slot frees up: while every socket of an origin
   * is stuck, nothing would ever release the abandoned requests and their bodies. Each sweep
   * removes at least half of what it walks, so its cost spreads over the drops that called for it.
   */
  #sweep(origin: OriginState): void {
    const waiting = origin.queue.length - origin.head;
    if (origin.queued === 0) {
      origin.queue.length = 0;
      origin.head = 0;
    } else if (waiting > 32 && origin.queued * 2 < waiting) {
      origin.queue = origin.queue.slice(origin.head).filter((item) => item?.done === false);
      origin.head = 0;
    }
  }

  #compact(origin: OriginState): void {
    if (origin.head === origin.queue.length) {
      origin.queue.length = 0;
      origin.head = 0;
    } else if (origin.head > 1024 && origin.head * 2 > origin.queue.length) {
      origin.queue = origin.queue.slice(origin.head);
      origin.head = 0;
    }
  }

  /** Marks an item as leaving the queue (sent, timed out or aborted) and releases its timer. */
  #settle(item: QueueItem): void {
    item.done = true;
    item.origin.queued--;
    this.#total--;
    if (item.timer !== undefined) clearTimeout(item.timer);
    item.stopListening?.();
    if (this.#total === 0 && this.#onEmpty !== undefined) {
      const resolve = this.#onEmpty;
      this.#onEmpty = undefined;
      queueMicrotask(resolve);
    }
  }

  #expire(item: QueueItem): void {
    if (item.done) return;
    this.#onExpire(item, performance.now() - item.enqueuedAt);
  }
}
