import { fail } from '@x/internal';
import { createPool, type Pool } from './pool';

// Shared through the global registry so duplicate installs of @x/pool see one pool.
const KEY = Symbol.for('@x/pool/global');
type Registry = { [KEY]?: Pool | undefined };

/**
 * The process-wide pool shared by every provider, created with default options on first use.
 * A pool that was closed is replaced by a fresh one.
 * @example
 * ```ts
 * const { body } = await getGlobalPool().request('http://localhost:11434/api/tags');
 * ```
 */
export function getGlobalPool(): Pool {
  const registry = globalThis as Registry;
  let pool = registry[KEY];
  if (pool === undefined || pool.closed) {
    pool = createPool();
    registry[KEY] = pool;
  }
  return pool;
}

/**
 * Replaces the process-wide pool (for example with one built with custom limits) and returns the
 * previous one, which is not closed: close it when its requests are done.
 * @throws {TypeError} when `pool` is not a pool.
 * @example
 * ```ts
 * const previous = setGlobalPool(createPool({ maxConnections: 50 }));
 * await previous?.close();
 * ```
 */
export function setGlobalPool(pool: Pool): Pool | undefined {
  if (
    pool === null ||
    typeof pool !== 'object' ||
    typeof pool.request !== 'function' ||
    typeof pool.stats !== 'function' ||
    pool.dispatcher === undefined
  ) {
    fail('pool', 'a pool from createPool()', pool);
  }
  const registry = globalThis as Registry;
  const previous = registry[KEY];
  registry[KEY] = pool;
  return previous;
}
