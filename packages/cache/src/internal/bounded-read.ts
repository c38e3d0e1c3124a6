import { isUint8Array } from 'node:util/types';
import type { RedisStoreClient } from '../redis-store-client';

/**
 * Sends the read of `valueKey`. A cache can use no value longer than `maxBytes` (its own
 * `maxBytes` plus the entry's header), and a `GET` of one transfers it whole however large:
 * hundreds of megabytes a lookup, and again on every lookup, since a too-large entry is left in
 * the store for the caches that can use it. `GETRANGE 0 maxBytes` answers the value whole when it
 * fits, else its first `maxBytes + 1` bytes: enough to say it is too long, with its header.
 *
 * `GETRANGE`, not a script (`STRLEN`, then `GET` or `GETRANGE`): a script counts as a write, held
 * back while Redis pauses writes (`CLIENT PAUSE WRITE`, as in a failover) and refused on an
 * out-of-memory or read-only server, where a read must go on. It answers `""` for a missing key,
 * read as none: an empty value is no entry either. A plain `GET` when the cache set no bound, or
 * the client has no `getrangeBuffer` (ioredis has it; a wrapper may not).
 */
export function readValue(
  client: RedisStoreClient,
  valueKey: string,
  maxBytes: number | undefined,
): Promise<unknown> {
  if (
    typeof client.getrangeBuffer !== 'function' ||
    typeof maxBytes !== 'number' ||
    !Number.isSafeInteger(maxBytes) ||
    maxBytes < 0
  ) {
    return client.getBuffer(valueKey);
  }
  // Promise.resolve: a wrapper may answer anything, checked as a GET reply is.
  return Promise.resolve(client.getrangeBuffer(valueKey, 0, maxBytes)).then((reply) =>
    isUint8Array(reply) && reply.length === 0 ? null : reply,
  );
}
