/**
 * A second cache tier shared between processes (see `@x/cache/redis`). The cache hands it opaque,
 * already encoded (and compressed) bytes and reads them back; it never throws to the caller
 * because of a store: failures are counted and the memory tier keeps serving.
 */
export interface CacheStore {
  /** The bytes stored under `key`, or `undefined` when there are none (or they expired). */
  get(key: string, options?: { signal?: AbortSignal | undefined }): Promise<Uint8Array | undefined>;
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
   */
  lock?(key: string, options: { signal: AbortSignal }): Promise<CacheStoreLock | undefined>;
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
