import { keyPrefixOf } from './redis-keys';

/**
 * Which store objects share their load locks. Two Redis store objects of one process on the same
 * server and whole prefix (the ioredis `keyPrefix` and the store's `prefix`) take the same lock for
 * a key: a load of one may hold the lock another one's load finds held. Any other store shares
 * locks only with itself. A store's scope is what a load holding its lock is compared by when a
 * lock is found held (`Flight.waitedForByLockHolder`).
 */
const scopes = new WeakMap<object, string>();

/** The scope of a store's locks: a string naming its Redis server and prefix, or the store. */
export function lockScope(store: object): unknown {
  return scopes.get(store) ?? store;
}

/**
 * Registers a Redis store's scope: its server as the client names it (host, port and db, or a
 * socket path) and its whole prefix. A client whose options do not name its server (a cluster, a
 * client of your own) leaves the store a scope of its own.
 */
export function registerRedisLockScope(
  store: object,
  client: { readonly options?: unknown },
  prefix: string,
): void {
  const o = client.options as
    | { host?: unknown; port?: unknown; db?: unknown; path?: unknown }
    | undefined;
  const server =
    typeof o?.path === 'string' && o.path !== ''
      ? `unix:${o.path}`
      : typeof o?.host === 'string' && typeof o.port === 'number'
        ? `${o.host}:${o.port}`
        : undefined;
  if (server === undefined) return;
  const db = typeof o?.db === 'number' ? o.db : 0;
  scopes.set(store, `${server}/${db} ${keyPrefixOf(client)}${prefix}`);
}
