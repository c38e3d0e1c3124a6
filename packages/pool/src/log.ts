import type { PackageLog } from '@x/internal';
import type { PoolTopics } from './events';
import type { PoolStats } from './stats';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type PoolLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods (a level it
 * lacks falls back to `log`, else is skipped).
 */
export interface PoolLogger {
  debug?: PoolLogMethod | undefined;
  info?: PoolLogMethod | undefined;
  warn?: PoolLogMethod | undefined;
  error?: PoolLogMethod | undefined;
  log?: PoolLogMethod | undefined;
}

/**
 * Writes the pool's events to its logger in the shared format (`{ package: '@x/pool', event,
 * origin, ... }`). Subscribes only when a logger was given, so a silent pool builds no event for
 * it. Per-socket and per-lookup entries are `debug`; what an operator must see (a request that
 * timed out in the queue, a DNS failure, a stale answer used) is `warn`. A DNS cache hit is not
 * logged: it happens on nearly every request.
 */
export function logPoolEvents(log: PackageLog, topics: PoolTopics): void {
  if (!log.enabled) return;
  topics.connect.on((e) =>
    log.debug(
      { event: 'connect', origin: e.origin, address: e.address, connections: e.totalConnections },
      `connected to ${e.origin} at ${e.address}`,
    ),
  );
  topics.disconnect.on((e) =>
    log.debug(
      { event: 'disconnect', origin: e.origin, reason: e.reason, detail: e.detail },
      `socket to ${e.origin} closed (${e.reason}${e.detail ? `: ${e.detail}` : ''})`,
    ),
  );
  topics['queue-timeout'].on((e) =>
    log.warn(
      { event: 'queue-timeout', origin: e.origin, waitedMs: Math.round(e.waitedMs) },
      `a request to ${e.origin} waited ${Math.round(e.waitedMs)} ms for a socket and timed out`,
    ),
  );
  topics.dns.on((e) => {
    switch (e.outcome) {
      case 'miss':
        log.debug({ event: 'dns-lookup', hostname: e.hostname }, `resolved ${e.hostname}`);
        break;
      case 'stale':
        log.warn(
          { event: 'dns-stale', hostname: e.hostname },
          `DNS failed for ${e.hostname}: using its expired answer`,
        );
        break;
      case 'error':
        log.warn({ event: 'dns-failed', hostname: e.hostname }, `DNS failed for ${e.hostname}`);
        break;
      case 'negative':
        log.debug(
          { event: 'dns-negative', hostname: e.hostname },
          `${e.hostname} failed to resolve recently: failing from the negative cache`,
        );
        break;
    }
  });
}

/**
 * A socket that never connected: undici failed every request waiting for it. A DNS failure is
 * logged already (`dns-failed`), so it is not logged twice.
 */
export function logConnectFailed(log: PackageLog, origin: string, error: Error | undefined): void {
  if (!log.enabled) return;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'X_POOL_DNS') return;
  log.warn(
    { event: 'connect-failed', origin, code: typeof code === 'string' ? code : undefined },
    `could not connect to ${origin}${error ? `: ${error.message}` : ''}`,
  );
}

/**
 * Wraps `close()` / `destroy()` so the pool's end is logged once, at `info`, with its totals. Without
 * a logger it returns the ending as it is.
 */
export function logEnd(
  log: PackageLog,
  stats: () => PoolStats,
): (how: 'close' | 'destroy', ending: Promise<void>) => Promise<void> {
  let logged = false;
  return (how, ending) => {
    if (!log.enabled || logged) return ending;
    logged = true;
    return ending.then(() => {
      const s = stats();
      log.info(
        {
          event: 'closed',
          how,
          socketsCreated: s.socketsCreated,
          requestsServed: s.requestsServed,
          queueTimeouts: s.queueTimeouts,
        },
        `pool closed (${how}): ${s.requestsServed} requests over ${s.socketsCreated} sockets`,
      );
    });
  };
}
