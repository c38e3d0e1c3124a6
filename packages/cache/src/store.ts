/**
 * A second cache tier shared between processes (see `@x/cache/redis`). The cache hands it opaque,
 * already encoded (and compressed) bytes and reads them back; it never throws to the caller
 * because of a store: failures are counted and the memory tier keeps serving.
 */
export interface CacheStore {
  /** The bytes stored under `key`, or `undefined` when there are none (or they expired). */
  get(key: string, options?: CacheStoreGetOptions): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds (the store expires it). */
  set(key: string, value: Uint8Array, ttlMs: number): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /**
   * Optional: at most one loader across processes for a missing key. Resolves with
   * - `{ release }`: this process holds the lock and loads; `release()` once the value is stored;
   * - `{ value }`: another process stored the value while this one waited;
   * - `undefined`: no decision (waited too long): load without a lock.
   *
   * `waited: true` says the store waited for another holder's load first (counted in
   * `stats().store.lockWaits`); a `value` without `waited: false` is counted as such a wait.
   * A store that calls `options.waiting()` when it finds another holder's lock has that wait
   * counted however `lock()` ends, also when `signal` aborts it or it rejects; when it returns
   * `false`, the store resolves `undefined` at once, without waiting. The cache's `close()` ends
   * such a wait by aborting `signal`.
   */
  lock?(key: string, options: CacheStoreLockOptions): Promise<CacheStoreLock | undefined>;
}

/** What the cache passes to {@link CacheStore.get}. */
export interface CacheStoreGetOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * The most bytes an entry this cache can use may hold (its `maxBytes` and the entry's header): a
   * store may send no more than this plus one byte of a longer value (its first bytes hold the
   * header that says it is too large), rather than transfer it whole. A hint: a store may ignore it.
   */
  readonly maxBytes?: number | undefined;
}

/** What the cache passes to {@link CacheStore.lock}. */
export interface CacheStoreLockOptions {
  /**
   * Aborts when every caller of the load has gone, or when the cache closes while the store waits
   * for another holder's load (told by `waiting()`; the reason is a `CacheClosedError` of target
   * `cache`, and the cache then loads without the lock): stop waiting, reject with its reason.
   */
  readonly signal: AbortSignal;
  /** As {@link CacheStoreGetOptions.maxBytes}, for the value a lock may resolve with. */
  readonly maxBytes?: number | undefined;
  /**
   * Call it when the lock is found held by another holder, before waiting for its load (calling
   * it again changes nothing). The wait is then counted in `stats().store.lockWaits` however
   * `lock()` ends: also when `signal` aborts it (every caller left) or it rejects (the store
   * failed or closed), where no `waited` flag can say so. It returns `false` when the holder may
   * be a load of this process that waits for this one (a loader that asked another cache on the
   * same store for its own request), or when the cache is closing: resolve `undefined` at once
   * then, without waiting (not counted as a wait), and the cache loads without the lock; waiting
   * would only end at the store's bound.
   */
  readonly waiting?: (() => boolean) | undefined;
  /**
   * Call it when holding a lock this call handed out fails: a renewal failed, or the lock was
   * found lost (expired, so another process may load the key too). The cache counts it in
   * `stats().store.errors` and tells `onStoreError` (operation `lock`), as any store failure.
   */
  readonly failed?: ((cause: unknown) => void) | undefined;
}

/** What {@link CacheStore.lock} resolves with. */
export type CacheStoreLock =
  | {
      readonly value: Uint8Array;
      readonly release?: undefined;
      readonly waited?: boolean | undefined;
    }
  | {
      readonly release: () => Promise<void>;
      readonly value?: undefined;
      readonly waited?: boolean | undefined;
    };
