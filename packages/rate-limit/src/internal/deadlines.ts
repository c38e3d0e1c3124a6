/**
 * Deadlines that all last the same time (a Redis store's `decisionTimeoutMs`), so they fall due in
 * the order they were set: one timer serves them all.
 *
 * Why not a `setTimeout` per decision: with a round trip in flight, creating and clearing a Node
 * timer (its list, the priority queue, `unref`'s call into the binding) cost about 1.5 µs of a
 * ~50 µs decision on loopback, more than the rest of the client-side work. Here starting a
 * deadline is an array push, settling it a flag, and the one timer is re-armed only when it fires.
 */

/** A deadline of {@link FifoDeadlines}. */
export interface Deadline {
  /** Expired, or settled before it did. */
  done: boolean;
  /** When it falls due, on the `performance.now()` clock. */
  readonly at: number;
  /** Also expires, at once, when the connection closes ({@link FifoDeadlines.connectionClosed}). */
  readonly endsWithConnection: boolean;
  /** `closed`: it expired because the connection closed, not because its time passed. */
  readonly onExpire: (closed: boolean) => void;
}

/**
 * Settled deadlines leave from the front as they settle; past this many at the front (behind one
 * still pending), the array is compacted.
 */
const COMPACT_AFTER = 1024;

export class FifoDeadlines {
  readonly #ms: number;
  /** pending and settled deadlines, oldest first from `#head` */
  #queue: Deadline[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #fire = () => this.#expire();
  /** Told of the connection's closes while the timer is armed (see `connection-close.ts`). */
  readonly #watchers: Set<() => void> | undefined;
  readonly #closed = () => this.connectionClosed();

  /** `watchers`: the client's close watchers, which this joins while it has deadlines. */
  constructor(ms: number, watchers?: Set<() => void> | undefined) {
    this.#ms = ms;
    this.#watchers = watchers;
  }

  /**
   * Calls `onExpire` once the deadline's time has passed, unless {@link settle} comes first; with
   * `endsWithConnection`, also as soon as the connection closes.
   */
  start(onExpire: (closed: boolean) => void, endsWithConnection = false): Deadline {
    const deadline: Deadline = {
      done: false,
      at: performance.now() + this.#ms,
      endsWithConnection,
      onExpire,
    };
    this.#queue.push(deadline);
    if (this.#timer === undefined) {
      this.#arm(this.#ms);
      // Joined while the timer runs rather than per deadline: a Set add and delete at most once
      // a timeout, however many decisions go by.
      this.#watchers?.add(this.#closed);
    }
    return deadline;
  }

  /**
   * The connection closed: every pending deadline started `endsWithConnection` expires now, in
   * order, with `closed` true; the others wait for their time.
   */
  connectionClosed(): void {
    // All marked before any is told: an onExpire may start (or settle) deadlines of its own,
    // which belong to the next connection.
    const ending: Deadline[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const deadline = this.#queue[i]!;
      if (deadline.done || !deadline.endsWithConnection) continue;
      deadline.done = true;
      ending.push(deadline);
    }
    this.#dropDone();
    for (const deadline of ending) deadline.onExpire(true);
  }

  /**
   * Settles `deadline` before it expires. Returns `false` when it was done already (expired, or
   * settled before): the caller's answer came too late.
   */
  settle(deadline: Deadline): boolean {
    if (deadline.done) return false;
    deadline.done = true;
    this.#dropDone();
    return true;
  }

  /** Deadlines not yet done (for tests). */
  get pending(): number {
    let n = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i]!.done) n++;
    return n;
  }

  #dropDone(): void {
    const queue = this.#queue;
    let head = this.#head;
    while (head < queue.length && queue[head]!.done) head++;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > COMPACT_AFTER && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      head = 0;
    }
    this.#head = head;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms);
    // a decision's deadline must not keep the process alive: its round trip does, while it lasts
    this.#timer.unref?.();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    // Node's timers count whole ms from a cached loop time: one may fire a fraction of a ms
    // before the deadline it was armed for; that deadline waits for the next turn.
    for (;;) {
      const deadline = this.#queue[this.#head];
      if (deadline === undefined || (!deadline.done && deadline.at > now)) break;
      this.#head++;
      if (deadline.done) continue;
      deadline.done = true;
      deadline.onExpire(false);
    }
    this.#dropDone();
    const next = this.#queue[this.#head];
    // an onExpire that started a deadline armed the timer already
    if (next !== undefined && this.#timer === undefined) {
      this.#arm(Math.max(1, Math.ceil(next.at - now)));
    }
    if (this.#timer === undefined) this.#watchers?.delete(this.#closed);
  }
}
