import { raceAbort } from '@x/internal';
import { CacheLoadCycleError } from '../errors';

/**
 * The load whose loader is being called now, in its synchronous part (up to its first `await`):
 * a cache call made then is that loader's. Module-wide, so that a loader asking another cache is
 * followed too.
 */
let calling: Flight<unknown> | undefined;
/**
 * The loads in flight, of every cache, by the signal their loaders were given: a call that passes
 * on a loader's signal is that loader's, found with one lookup. Before, they were kept in an
 * array scanned on every join passing a signal: with N loads in flight N such joins took O(N²)
 * (30,000 blocked the event loop 8.5 s). Timed on Node 20 (`new AbortController()` is about 3 µs),
 * a `Map` set and delete adds about 0.4 µs to a load, a symbol-keyed property or a private field
 * stamped on the signal 1.2 to 1.3 µs (the signal's shape changes), a `WeakMap` more than the `Map`.
 */
const loadsBySignal = new Map<AbortSignal, Flight<unknown>>();

/** The load in flight whose loader was given `signal`, if any. */
function loadWith(signal: AbortSignal | undefined): Flight<unknown> | undefined {
  return signal === undefined ? undefined : loadsBySignal.get(signal);
}

/**
 * One in-flight load shared by every caller that missed the same key. The load is aborted only
 * when every waiter has gone; one waiter leaving rejects that waiter alone.
 *
 * A call that would wait for itself is refused: one made by a loader (found while the loader is
 * being called, or by the loader's signal the call passes on) for a load that waits for that
 * loader's own. Nothing of this is looked at on a hit, and a load only enters and leaves a map.
 * (An `AsyncLocalStorage` would follow a loader past its `await`s, but on Node 20 it turns on
 * promise hooks for the whole process: with one enabled anywhere a `getOrLoad` hit executes a
 * fifth more instructions, `profile/async-hooks-instructions.ts`.)
 */
export class Flight<T> {
  readonly controller = new AbortController();
  readonly promise: Promise<T>;
  settled = false;
  readonly key: string;
  /**
   * The load whose loader started this one, while being called (it waits for this one), until
   * that wait leaves (see {@link waitAsStarter}).
   */
  #parent: Flight<unknown> | undefined;
  /** Otherwise the signal its starter passed: a loader's, when a loader started it after an await. */
  #parentSignal: AbortSignal | undefined;
  /** The loads whose loaders joined this one and wait for it now (made on the first). */
  #joinedBy: Set<Flight<unknown>> | undefined;
  #waiters = 0;
  /**
   * Where the loader is: not called yet, called, or settled (answered or failed). Once it has
   * settled the load can no longer be abandoned (see {@link #leave}).
   */
  #loader: 'idle' | 'running' | 'done' = 'idle';
  readonly #onAllGone: () => void;
  /**
   * The scope of the store whose load lock for its key this load holds (Redis: `<prefix>lock:<key>`
   * on one server, see `lock-scope.ts`), once it holds it: a lock found held in another scope is
   * another process's, never this load's.
   */
  lockedScope: unknown = undefined;

  constructor(
    key: string,
    signal: AbortSignal | undefined,
    run: (flight: Flight<T>) => Promise<T>,
    onAllGone: () => void,
  ) {
    this.key = key;
    this.#parent = calling;
    this.#parentSignal = calling === undefined ? signal : undefined;
    this.#onAllGone = onAllGone;
    const loaderSignal = this.controller.signal;
    loadsBySignal.set(loaderSignal, this as Flight<unknown>);
    this.promise = run(this).finally(() => {
      this.settled = true;
      loadsBySignal.delete(loaderSignal);
    });
    // Waiters attach their own handlers; this one keeps an abandoned failure from being unhandled.
    this.promise.catch(() => {});
  }

  /** The signal the loader gets. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Calls the loader, marking its synchronous part as this load's, so that a call it makes then
   * for a key whose load waits for this one is refused rather than left waiting for itself.
   * Resolves with its answer (throws what it throws synchronously).
   */
  call<R>(loader: (signal: AbortSignal) => R | PromiseLike<R>): Promise<R> {
    const previous = calling;
    calling = this as Flight<unknown>;
    this.#loader = 'running';
    try {
      // Adopted once, here: a thenable's `then` is called once, as an `await` of it would.
      const result = Promise.resolve(loader(this.controller.signal));
      // Registered before the caller's `await` of it: see #leave. (The caller awaits it too, so
      // marking a rejection handled here hides nothing.)
      result.then(this.#loaderDone, this.#loaderDone);
      return result;
    } catch (error) {
      this.#loaderDone();
      throw error;
    } finally {
      calling = previous;
    }
  }

  readonly #loaderDone = (): void => {
    this.#loader = 'done';
  };

  /**
   * Resolves with the shared result, or rejects with `signal.reason` when this waiter aborts.
   * Throws {@link CacheLoadCycleError} when the caller is a loader this load waits for.
   */
  join(signal: AbortSignal | undefined): Promise<T> {
    const from = calling ?? loadWith(signal);
    if (from === undefined) return this.wait(signal);
    const through = this.#waiterFrom(from, (load) => load === this);
    if (through !== undefined) throw new CacheLoadCycleError(this.key, through);
    const joinedBy = (this.#joinedBy ??= new Set());
    joinedBy.add(from);
    const edge = () => joinedBy.delete(from);
    const waiting = this.wait(signal, edge);
    waiting.then(edge, edge);
    return waiting;
  }

  /**
   * {@link wait} for the caller that started the load (nothing waits for a new load yet). When it
   * leaves (its signal aborts), the loader that started the load, if one did, no longer waits for
   * it: otherwise a call its loader makes for that loader's key, or through a chain to it, would
   * be refused as a cycle, also once that loader's every caller left and its loader goes on.
   */
  waitAsStarter(signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) return this.wait(undefined);
    return this.wait(signal, () => {
      this.#parent = undefined;
      this.#parentSignal = undefined;
    });
  }

  /** Registers a waiter; {@link join} and {@link waitAsStarter} say who it is. */
  wait(signal: AbortSignal | undefined, onLeave?: () => void): Promise<T> {
    this.#waiters++;
    if (signal === undefined) return this.promise;
    return raceAbort(this.promise, signal, () => {
      onLeave?.();
      this.#leave(signal.reason);
    });
  }

  /**
   * Whether a load that waits for this one, directly or through others, is loading the same key
   * holding its store's lock: a loader asked another cache on the same store for its own request
   * (or for a request whose loader does) in `scope`, the lock scope of the store whose lock this
   * load found held (the same Redis server and prefix). The lock is then that load's: waiting for
   * it would wait for itself, until the store's bound (Redis: `lockWaitMs`). A load holding a lock
   * of another scope says nothing of this one, which another process may hold.
   */
  waitedForByLockHolder(scope: unknown): boolean {
    const holder = (load: Flight<unknown>) =>
      load !== this && load.lockedScope === scope && load.key === this.key;
    return this.#waiterFrom(this as Flight<unknown>, holder) !== undefined;
  }

  /**
   * The first load found by `match` among `from` and the loads that wait for it, directly or
   * through other loads: the keys of the loads between, from the one next to it to `from`. The
   * loads that wait for a load are the one whose loader started it and those whose loaders joined
   * it; a settled one waits for nothing.
   */
  #waiterFrom(
    from: Flight<unknown>,
    match: (load: Flight<unknown>) => boolean,
  ): string[] | undefined {
    const cameFrom = new Map<Flight<unknown>, Flight<unknown> | undefined>([[from, undefined]]);
    const queue: Flight<unknown>[] = [from];
    for (let i = 0; i < queue.length; i++) {
      const load = queue[i]!;
      if (match(load)) {
        const through: string[] = [];
        for (let step = cameFrom.get(load); step !== undefined; step = cameFrom.get(step)) {
          through.push(step.key);
        }
        return through;
      }
      if (load.settled) continue;
      const waiting = [...(load.#joinedBy ?? [])];
      const parent = load.#parent ?? loadWith(load.#parentSignal);
      if (parent !== undefined) waiting.push(parent);
      for (const next of waiting) {
        if (cameFrom.has(next)) continue;
        cameFrom.set(next, load);
        queue.push(next);
      }
    }
    return undefined;
  }

  /**
   * A waiter left. When none is left, the load is abandoned (forgotten, its loader's signal
   * aborted, its store lock given back), unless its loader has settled: an answer it produced is
   * then stored and its lock released after the write, as if a caller had stayed. Otherwise the
   * lock could be released in the few microtasks between the answer and the load settling, with
   * the write skipped (or after it): another process, seeing neither lock nor value, would call
   * its loader again. A failed loader ends the load by itself (lock released, nothing written).
   */
  #leave(reason: unknown): void {
    this.#waiters--;
    if (this.#waiters > 0 || this.settled || this.#loader === 'done') return;
    if (this.#loader === 'idle') {
      this.#abandon(reason);
      return;
    }
    // The loader's promise may have settled already, its reaction (registered in call()) queued
    // but not run yet: run after it, this tells whether the loader settled before this abort.
    queueMicrotask(() => {
      if (this.#waiters === 0 && !this.settled && this.#loader !== 'done') this.#abandon(reason);
    });
  }

  #abandon(reason: unknown): void {
    this.#onAllGone();
    this.controller.abort(reason);
  }
}

/** The loads in flight, one per key: a caller that misses a key being loaded joins its load. */
export class Flights<T> {
  readonly #flights = new Map<string, Flight<T>>();

  /** Loads in flight now. */
  get size(): number {
    return this.#flights.size;
  }

  /** The load of `key` in flight, if any. */
  get(key: string): Flight<T> | undefined {
    return this.#flights.get(key);
  }

  /**
   * Starts loading `key` with `run` for a caller with `signal`, and waits for it. The flight is
   * forgotten once it settled or every waiter left, so the next caller starts a new load rather
   * than joining an aborted one.
   */
  start(
    key: string,
    signal: AbortSignal | undefined,
    run: (flight: Flight<T>) => Promise<T>,
  ): Promise<T> {
    const land = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    const flight: Flight<T> = new Flight(key, signal, run, land);
    this.#flights.set(key, flight);
    flight.promise.then(land, land);
    return flight.waitAsStarter(signal);
  }

  /** Resolves once every load in flight now has settled, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#flights.values()].map((flight) => flight.promise));
  }
}

/** The signal a loader gets when its caller gave none. */
const NEVER_ABORTED = new AbortController().signal;

/**
 * Calls a loader for one caller, unshared. The caller's abort ends the call at once, as it does
 * for a shared load, even when the loader ignores the signal it was given.
 */
export function loadAlone<T>(
  loader: (signal: AbortSignal) => T | PromiseLike<T>,
  signal?: AbortSignal,
): Promise<T> {
  return raceAbort(Promise.resolve(loader(signal ?? NEVER_ABORTED)), signal);
}
