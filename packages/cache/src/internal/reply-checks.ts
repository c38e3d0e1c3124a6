import { isUint8Array } from 'node:util/types';
import { unexpectedReplyText } from '@x/internal';
import type { CacheStoreLock } from '../store';

/**
 * Checks of what comes back from a store before the cache uses it. A reply of the wrong shape
 * (a proxy or another server on Redis' port, a client that is not ioredis-shaped, a custom store
 * with a bug) must end as a counted store error: used as is, it throws a `TypeError` at the
 * caller (bytes without a `length`) or misleads the store (a lock reply that is neither taken nor
 * refused, a SCAN cursor that never equals `'0'`). The messages name the reply's type, never its
 * content, which may be anything.
 */

function unexpected(from: string, reply: unknown, expected: string): TypeError {
  return new TypeError(unexpectedReplyText(from, reply, expected));
}

/** A `GET` reply: the bytes, or `undefined` for nil. */
export function redisBytes(reply: unknown): Uint8Array | undefined {
  if (reply === null) return undefined;
  if (isUint8Array(reply)) return reply;
  throw unexpected('Redis GET', reply, 'bytes or nil');
}

/** The reply of a script that answers 1 (done) or 0 (not done): whether it was done. */
export function redisFlag(reply: unknown): boolean {
  if (reply === 1 || reply === 0) return reply === 1;
  throw unexpected('a Redis script', reply, '0 or 1');
}

/** A `SCAN` reply: the next cursor and a page of keys. */
export function redisScan(reply: unknown): [cursor: string, keys: string[]] {
  if (
    Array.isArray(reply) &&
    reply.length === 2 &&
    typeof reply[0] === 'string' &&
    Array.isArray(reply[1]) &&
    reply[1].every((key) => typeof key === 'string')
  ) {
    return reply as [string, string[]];
  }
  throw unexpected('Redis SCAN', reply, 'a cursor and a list of keys');
}

/** A reply the store does not read (`SET`, `DEL`, a lock's release). */
export function ignored(): void {}

/**
 * What a store's `get()` resolved with: bytes, or `undefined` for none. `null` is read as none
 * too (what most clients answer for a missing key); anything else throws.
 */
export function storeBytes(data: unknown): Uint8Array | undefined {
  if (data === undefined || data === null) return undefined;
  if (isUint8Array(data)) return data;
  throw unexpected("the store's get()", data, 'a Uint8Array or undefined');
}

/** Whether a store's `lock()` resolved with what {@link CacheStoreLock} allows (or nothing). */
export function isStoreLock(lock: unknown): lock is CacheStoreLock | undefined | null {
  if (lock === undefined || lock === null) return true;
  if (typeof lock !== 'object') return false;
  const { value, release } = lock as { value?: unknown; release?: unknown };
  if (value === undefined) return typeof release === 'function';
  return release === undefined && isUint8Array(value);
}

/** The error for a store's `lock()` that resolved with something {@link isStoreLock} refuses. */
export function unexpectedLock(lock: unknown): TypeError {
  return unexpected(
    "the store's lock()",
    lock,
    '{ value: Uint8Array }, { release() } or undefined',
  );
}
