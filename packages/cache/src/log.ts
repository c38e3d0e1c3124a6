import { type PackageLog, redactUrlCredentials } from '@x/internal';
import type { CacheEvictEvent, CacheTopics } from './events';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type CacheLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods (a level it
 * lacks falls back to `log`, else is skipped).
 */
export interface CacheLogger {
  debug?: CacheLogMethod | undefined;
  info?: CacheLogMethod | undefined;
  warn?: CacheLogMethod | undefined;
  error?: CacheLogMethod | undefined;
  log?: CacheLogMethod | undefined;
}

/** Evictions are summed, not logged one by one: at most one entry per this period. */
const EVICTION_SUMMARY_MS = 60_000;

/** Scrubs the userinfo of any URL a store driver quoted in its error (a Redis connection string). */
export const redactCacheLog = redactUrlCredentials;

/**
 * Writes the cache's events to its logger in the shared format (`{ package: '@x/cache', event,
 * key, ... }`). Subscribes only when a logger was given, so a silent cache builds no event for
 * it. Keys are the cache's own (`<namespace>:<digest of the request>`), never the request.
 *
 * A store failure and an entry the store returned corrupt are `warn` (the shared tier is down or
 * not to be trusted); an answer not stored is `debug`; evictions are summed into one `debug`
 * entry per minute at most (they happen on every insert of a full cache).
 */
export function logCacheEvents(log: PackageLog, topics: CacheTopics): void {
  if (!log.enabled) return;
  topics['store-error'].on((e) =>
    log.warn(
      { event: 'store-error', code: e.code, operation: e.operation, timedOut: e.timedOut },
      `${e.message}: serving from memory or the loader`,
    ),
  );
  topics['corrupt-entry'].on((e) =>
    log.warn(
      { event: 'corrupt-entry', key: e.key, reason: e.reason },
      `the store returned a corrupt entry (${e.reason}): treated as a miss and deleted`,
    ),
  );
  topics.skip.on((e) =>
    log.debug({ event: 'skip', key: e.key, reason: e.reason }, `answer not stored: ${e.reason}`),
  );
  topics.evict.on(evictionSummary(log));
}

function evictionSummary(log: PackageLog): (e: CacheEvictEvent) => void {
  let last = Number.NEGATIVE_INFINITY;
  const counts = { entries: 0, bytes: 0, expired: 0 };
  return (e) => {
    counts[e.reason]++;
    const now = performance.now();
    if (now - last < EVICTION_SUMMARY_MS) return;
    last = now;
    const total = counts.entries + counts.bytes + counts.expired;
    log.debug(
      { event: 'evictions', ...counts },
      `${total} entries left memory (${counts.entries} over maxEntries, ${counts.bytes} over maxBytes, ${counts.expired} expired)`,
    );
    counts.entries = 0;
    counts.bytes = 0;
    counts.expired = 0;
  };
}

/** A loader failed: the caller gets its error; the entry says which key it was for. */
export function logLoaderFailed(log: PackageLog, key: string, error: unknown): void {
  if (!log.enabled) return;
  const code = (error as { code?: unknown } | null)?.code;
  log.debug(
    {
      event: 'loader-failed',
      key,
      code: typeof code === 'string' ? code : undefined,
      error: error instanceof Error ? error.name : typeof error,
    },
    'the loader failed: nothing stored',
  );
}
