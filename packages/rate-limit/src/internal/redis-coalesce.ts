/**
 * Coalescing of `take` decisions per key, for the Redis store: at most one script call per key is
 * in flight; decisions asked meanwhile wait for it and then go together in one call, decided in
 * order by the script, so N callers of a busy key cost about one round trip instead of N.
 */

/** One caller's decision: its amounts (one per limit) and how to answer it. */
export interface Pending {
  readonly costs: readonly number[];
  readonly resolve: (wait: number) => void;
  readonly reject: (error: unknown) => void;
}

/** One key's requests within a script call, in call order. */
export interface Group {
  readonly key: string;
  readonly requests: readonly Pending[];
}

/**
 * Runs one script call for `groups`, answers every request of it (resolve or reject, once), then
 * calls `settled`.
 */
export type SendTakes = (groups: readonly Group[], settled: () => void) => void;

/** A key with callers: those waiting to be sent, and how many of its calls are in flight. */
interface KeyState {
  readonly key: string;
  waiting: Pending[];
  inFlight: number;
  /** listed in `ready`: sent at the next flush */
  ready: boolean;
  /** nothing waiting, nothing in flight: kept for the key's next decision, or swept */
  idle: boolean;
}

/** Idle keys kept for their next decision at least, whatever the number of busy keys. */
const KEPT_IDLE = 64;

/**
 * The most decisions in one script call: a bound on the call's arguments and the script's work.
 * A key with more waiting gets several calls at once (pipelined on the connection, so still in
 * order).
 */
export const MAX_BATCH = 128;

/** `RESOLVED.then(flush)`: a microtask without `queueMicrotask`'s async-context bookkeeping. */
const RESOLVED = Promise.resolve();

export class TakeCoalescer {
  /**
   * Keys with a caller waiting or a call in flight, and idle keys until the next sweep. Removing
   * a key as soon as it is idle would cost each decision on a hot key a `Map` delete and insert:
   * on a long-lived `Map` (V8 moves it to the old generation), that pair reallocates the table and
   * costs ~500 ns, more than the rest of the client-side decision.
   */
  readonly #keys = new Map<string, KeyState>();
  #idle = 0;
  #ready: KeyState[] = [];
  #flushQueued = false;
  /** after `flushNow()`: a take is sent at the next flush even when its key has a call in flight */
  #closing = false;
  readonly #send: SendTakes;
  readonly #batchKeys: boolean;
  readonly #flush = () => this.#flushReady();

  constructor(send: SendTakes, batchKeys: boolean) {
    this.#send = send;
    this.#batchKeys = batchKeys;
  }

  /**
   * Queues a decision. A key with nothing in flight is sent at the end of this tick, with the
   * other decisions of the tick (same key always, other keys with `batchKeys`); a key with a call
   * in flight waits for its answer.
   */
  take(key: string, costs: readonly number[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let state = this.#keys.get(key);
      if (state === undefined) {
        state = { key, waiting: [], inFlight: 0, ready: false, idle: false };
        this.#keys.set(key, state);
      } else if (state.idle) {
        state.idle = false;
        this.#idle--;
      }
      state.waiting.push({ costs, resolve, reject });
      if ((state.inFlight === 0 || this.#closing) && !state.ready) {
        state.ready = true;
        this.#ready.push(state);
        if (!this.#flushQueued) {
          this.#flushQueued = true;
          void RESOLVED.then(this.#flush);
        }
      }
    });
  }

  /** Sends every waiting decision now, in flight or not (closing: nothing may stay behind). */
  flushNow(): void {
    this.#closing = true;
    for (const state of this.#keys.values()) {
      if (state.waiting.length > 0 && !state.ready) {
        state.ready = true;
        this.#ready.push(state);
      }
    }
    this.#flushReady();
  }

  #flushReady(): void {
    this.#flushQueued = false;
    const ready = this.#ready;
    if (ready.length === 0) return;
    this.#ready = [];
    if (ready.length === 1) this.#sendKey(ready[0]!);
    else this.#sendKeys(ready);
  }

  /** One key's waiting decisions: the usual case, in one call unless there are too many. */
  #sendKey(state: KeyState): void {
    state.ready = false;
    const list = state.waiting;
    if (list.length === 0 || list.length > MAX_BATCH) {
      this.#sendKeys([state]);
      return;
    }
    state.waiting = [];
    state.inFlight++;
    this.#send([{ key: state.key, requests: list }], () => this.#settled(state));
  }

  /** The waiting decisions of `states`, in calls of at most {@link MAX_BATCH}. */
  #sendKeys(states: readonly KeyState[]): void {
    let groups: Group[] = [];
    let members: KeyState[] = [];
    let size = 0;
    const call = () => {
      const sent = members;
      this.#send(groups, () => {
        for (const state of sent) this.#settled(state);
      });
      groups = [];
      members = [];
      size = 0;
    };
    for (const state of states) {
      state.ready = false;
      const list = state.waiting;
      if (list.length === 0) continue;
      state.waiting = [];
      for (let start = 0; start < list.length; start += MAX_BATCH) {
        const part = list.length <= MAX_BATCH ? list : list.slice(start, start + MAX_BATCH);
        if (size > 0 && (!this.#batchKeys || size + part.length > MAX_BATCH)) call();
        groups.push({ key: state.key, requests: part });
        members.push(state);
        state.inFlight++;
        size += part.length;
      }
    }
    if (size > 0) call();
  }

  /** A call for `state` was answered: what waited for it goes now, or the key is let go. */
  #settled(state: KeyState): void {
    if (--state.inFlight > 0 || state.ready) return;
    if (state.waiting.length > 0) {
      // In the same tick as the other keys this answer freed (one call with batchKeys).
      state.ready = true;
      this.#ready.push(state);
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        void RESOLVED.then(this.#flush);
      }
    } else {
      state.idle = true;
      if (++this.#idle > KEPT_IDLE && this.#idle * 2 > this.#keys.size) this.#sweep();
    }
  }

  /**
   * Drops every idle key. It runs once at least half the keys (and more than {@link KEPT_IDLE})
   * are idle, so each key dropped pays for its share of the walk: a constant cost per decision,
   * and at most twice the busy keys plus {@link KEPT_IDLE} held.
   */
  #sweep(): void {
    for (const state of this.#keys.values()) {
      if (state.idle) this.#keys.delete(state.key);
    }
    this.#idle = 0;
  }

  /** Keys held now, busy or idle (for tests). */
  get size(): number {
    return this.#keys.size;
  }
}
