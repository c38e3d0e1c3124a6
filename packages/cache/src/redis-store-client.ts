/** The Redis client a store talks to, and what a cache tells the store about a read. */

/**
 * The Redis commands the store uses, typed structurally: an ioredis 5 or 6 client fits as is, and
 * any other client can be adapted with a small wrapper.
 */
export interface RedisStoreClient {
  getBuffer(key: string): Promise<Buffer | null>;
  /**
   * Optional (ioredis has it): a read then never transfers more of a value than the cache can use
   * (see {@link RedisStoreReadOptions}); without it, a value is read whole.
   */
  getrangeBuffer?(key: string, start: number, end: number): Promise<Buffer>;
  set(key: string, value: Buffer | string, mode: 'PX', ttlMs: number): Promise<unknown>;
  set(
    key: string,
    value: Buffer | string,
    mode: 'PX',
    ttlMs: number,
    condition: 'NX',
  ): Promise<'OK' | null>;
  del(...keys: string[]): Promise<number>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  scan(
    cursor: string | number,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
  /**
   * The client's options, read for `keyPrefix` only: ioredis prefixes every key it sends with it,
   * but not a `SCAN` pattern, and `SCAN` answers whole key names, so `clear()` adds it to the
   * pattern and takes it off the names it deletes.
   */
  readonly options?: { readonly keyPrefix?: string | undefined } | undefined;
}

/** What a cache passes to the store's `get()` and `lock()` (besides their own options). */
export interface RedisStoreReadOptions {
  /**
   * The longest value the cache can use (its `maxBytes` plus the entry's header). A longer one is
   * answered with only a prefix of it, longer than this, which the cache reads as too large
   * without the rest ever leaving Redis. Read whole when not set.
   */
  readonly maxBytes?: number | undefined;
}
