import { onAbort, raceAbort } from '@x/internal';
import {
  CacheClosedError,
  CacheStoreError,
  type CacheStoreOperation,
  isCacheStoreError,
} from '../errors';
import type { CacheTopics } from '../events';
import type { CacheStore, CacheStoreLock } from '../store';
import type { Encoded } from './codec';
import { envelopeLimit, openEnvelope, toEnvelope } from './envelope';
import type { Flight } from './flight';
import { lockScope } from './lock-scope';
import { isStoreLock, storeBytes, unexpectedLock } from './reply-checks';
import { Waits } from './waits';

/** A live value read from the store and checked. */
export interface StoredValue {
  /** The deep-frozen value. */
  readonly value: unknown;
  readonly encoded: Encoded;
  /** What is left of the writer's TTL, at most this cache's `maxTtlMs`. */
  readonly ttlMs: number;
}

/** What a read from the store found, once checked. */
export type StoreRead = StoredValue | 'miss' | 'too-large';

/** Gives back the store's load lock for a key. */
export type Release = () => Promise<void>;
/** In place of a lock's release: the answer is kept in memory, never written to the store. */
export const MEMORY_ONLY: Release = async () => {};

/**
 * The shared tier seen from one cache: every store call guarded (a failure is counted and
 * reported, never thrown to a caller), writes tracked for `flush()`, and what comes back checked
 * before it is used.
 */
export class StoreTier {
  readonly #store: CacheStore;
  readonly #topics: CacheTopics;
  readonly #maxBytes: number;
  /**
   * Told to the store with every read: no longer value is of use here, and a store may answer one
   * with a prefix only (the Redis store does: a value of any size is never transferred whole).
   */
  readonly #readLimit: number;
  readonly #maxTtlMs: number;
  readonly #pending = new Set<Promise<void>>();
  /** The lock() calls waiting for another holder's load; close() ends them. */
  readonly #waits = new Waits();
  #closed = false;

  hits = 0;
  misses = 0;
  writes = 0;
  errors = 0;
  lockWaits = 0;
  lockTimeouts = 0;
  corruptEntries = 0;

  constructor(
    store: CacheStore,
    topics: CacheTopics,
    limits: { maxBytes: number; maxTtlMs: number },
  ) {
    this.#store = store;
    this.#topics = topics;
    this.#maxBytes = limits.maxBytes;
    this.#readLimit = envelopeLimit(limits.maxBytes);
    this.#maxTtlMs = limits.maxTtlMs;
  }

  /** Runs a store operation; a failure (also a synchronous throw) is reported, never thrown. */
  async #guard<R>(operation: CacheStoreOperation, run: () => Promise<R>): Promise<R | undefined> {
    try {
      return await run();
    } catch (cause) {
      this.failed(operation, cause);
      return undefined;
    }
  }

  failed(operation: CacheStoreOperation, cause: unknown): void {
    this.errors++;
    if (this.#topics['store-error'].active) {
      const error = isCacheStoreError(cause) ? cause : new CacheStoreError(operation, { cause });
      this.#topics['store-error'].emit(error);
    }
  }

  #track(promise: Promise<unknown>): void {
    const done = promise.then(
      () => {},
      () => {},
    );
    this.#pending.add(done);
    done.finally(() => this.#pending.delete(done));
  }

  /** Resolves when every write, delete and release started so far has finished. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * Writes a value through, in the background. The lock is released only after the value is in
   * the store, so a waiting process that sees the lock gone finds the value.
   */
  write(key: string, encoded: Encoded, ttlMs: number, release?: () => Promise<void>): void {
    const envelope = toEnvelope(encoded, Date.now() + ttlMs, key);
    const write = this.#guard('set', async () => {
      await this.#store.set(key, envelope, ttlMs);
      this.writes++;
    });
    this.#track(release === undefined ? write : write.then(() => this.#unlock(release)));
  }

  /** Gives a lock back, in the background. */
  release(release: () => Promise<void>): void {
    this.#track(this.#unlock(release));
  }

  /**
   * `release`, given at most once, and given at once when `signal` aborts: every waiter of the
   * load has gone, and a loader that ignores its signal may never settle, while the store would
   * renew its lock (and keep other processes waiting for a load nobody stores) for ever.
   */
  releasedOnAbort(release: () => Promise<void>, signal: AbortSignal): () => Promise<void> {
    let given = false;
    let unlink = (): void => {};
    const once = async (): Promise<void> => {
      if (given) return;
      given = true;
      unlink();
      await release();
    };
    if (signal.aborted) this.release(once);
    else unlink = onAbort(signal, () => this.release(once));
    return once;
  }

  #unlock(release: () => Promise<void>): Promise<unknown> {
    return this.#guard('unlock', release);
  }

  /** Deletes a key from the store, in the background. */
  delete(key: string): void {
    this.#track(this.#guard('delete', () => this.#store.delete(key)));
  }

  /**
   * Reads and checks the value under `key`. Rejects only with `signal.reason` when `signal`
   * aborts; a failure or a corrupt entry is a miss.
   */
  async read(key: string, signal: AbortSignal | undefined): Promise<StoreRead> {
    let data: Uint8Array | undefined;
    const options = { signal, maxBytes: this.#readLimit };
    try {
      const got: unknown = await raceAbort(
        // A store that throws synchronously must not fail the request either.
        new Promise<Uint8Array | undefined>((resolve) => resolve(this.#store.get(key, options))),
        signal,
      );
      // Checked inside the try: a store resolving with anything but bytes has failed (a store
      // error), where bytes that are no envelope are a corrupt entry (open()).
      data = storeBytes(got);
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      this.failed('get', cause);
      return 'miss';
    }
    return this.open(key, data);
  }

  /**
   * Checks bytes read from the store. A corrupt entry is reported (`onCorruptEntry`), deleted
   * from the store and read as a miss; one too large for this cache is a miss left in place; an
   * expired one is a miss. The writer's expiry is kept, never beyond this cache's `maxTtlMs`.
   */
  open(key: string, data: Uint8Array | undefined): StoreRead {
    if (data === undefined) return 'miss';
    const opened = openEnvelope(data, this.#maxBytes, key);
    if (opened.kind === 'value') {
      const ttlMs = Math.min(opened.expiresAtEpochMs - Date.now(), this.#maxTtlMs);
      if (!(ttlMs > 0)) return 'miss';
      return { value: opened.value, encoded: opened.encoded, ttlMs };
    }
    if (opened.kind === 'too-large') return 'too-large';
    this.corruptEntries++;
    // Deleted before the event: a listener that writes a value under the key (cache.set) sends
    // that write after this delete, so the store keeps it.
    this.delete(key);
    if (this.#topics['corrupt-entry'].active) {
      this.#topics['corrupt-entry'].emit({ key, reason: opened.reason });
    }
    return 'miss';
  }

  /**
   * The cache is closing: its loads stop waiting for another holder's load (another process's,
   * up to the store's bound: Redis `lockWaitMs`) and load by themselves, without the lock, as when
   * the store closes; none starts any more. The store stays open: writes still go through.
   */
  close(): void {
    this.#closed = true;
    this.#waits.end(new CacheClosedError('cache'));
  }

  /**
   * Takes the store's load lock for `flight`'s key, when the store has one. Resolves with the
   * lock, or `undefined` when there is none, it failed or close() ended its wait; rejects only
   * with the flight's `signal.reason`.
   */
  async lock(flight: Flight<unknown>): Promise<CacheStoreLock | undefined> {
    const { key, signal } = flight;
    const store = this.#store;
    if (typeof store.lock !== 'function') return undefined;
    // The store's signal: the flight's, or close() once the store waits for another holder (a
    // lock it takes at once is still taken while the cache closes, so no other process loads too).
    const wait = this.#waits.start(signal);
    // Told by a store when it finds another holder's lock. A wait is counted however lock() ends,
    // also when every caller left during it (`signal` aborted), the store failed or closed, or
    // the cache closed, where no `waited` flag comes back. None starts for a lock a load waiting
    // for this one holds (see Flight.waitedForByLockHolder), nor once the cache closes: the store
    // resolves `undefined` at once.
    let waited = false;
    let refused = false;
    const waiting = (): boolean => {
      if (!waited && !refused) {
        refused = this.#closed || flight.waitedForByLockHolder(lockScope(store));
        waited = !refused;
        if (waited) wait.endable();
      }
      return waited;
    };
    // Failures of holding the lock (renewals) come after lock() resolved: counted all the same.
    const failed = (cause: unknown): void => this.failed('lock', cause);
    const options = { signal: wait.signal, waiting, maxBytes: this.#readLimit, failed };
    const pending = new Promise<CacheStoreLock | undefined>((resolve) =>
      resolve(store.lock!(key, options)),
    );
    let lock: unknown;
    try {
      lock = await raceAbort(pending, wait.signal);
    } catch (cause) {
      if (waited) this.lockWaits++;
      if (wait.signal.aborted) {
        // The store may still hand out the lock after the wait ended: give it straight back.
        pending.then(
          (late) => typeof late?.release === 'function' && this.release(late.release),
          () => {},
        );
        // Every caller left; otherwise close() ended the wait: load without the lock.
        if (signal.aborted) throw signal.reason;
        return undefined;
      }
      this.failed('lock', cause);
      return undefined;
    } finally {
      wait.done();
    }
    if (refused && (lock === undefined || lock === null)) return undefined;
    if (lock === undefined || lock === null) {
      // The store waited too long for another holder (Redis: `lockWaitMs`): load without it.
      this.lockWaits++;
      this.lockTimeouts++;
      return undefined;
    }
    if (isStoreLock(lock)) {
      if (lock.release !== undefined) flight.lockedScope = lockScope(store);
      // Every wait counts, also one that ends with the lock (the holder's load failed, or it
      // died): a value is another process's load unless the store says it waited for nothing.
      if (waited || (lock.value !== undefined ? lock.waited !== false : lock.waited === true)) {
        this.lockWaits++;
      }
      return lock;
    }
    if (waited) this.lockWaits++;
    // Neither a value nor a lock: load without one, and give back whatever it may hold.
    const release = (lock as { release?: unknown } | null)?.release;
    if (typeof release === 'function') this.release(async () => release.call(lock));
    this.failed('lock', unexpectedLock(lock));
    return undefined;
  }
}
