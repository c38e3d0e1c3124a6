import { createTopics, type Topic } from '@x/internal';

/** Published when the pool opened a new socket. Channel `x:pool:connect`. */
export interface PoolConnectEvent {
  /** `scheme://host:port` of the origin. */
  origin: string;
  /** The IP address the socket connected to. */
  address: string;
  /** Sockets open (or opening) across the pool after this one. */
  totalConnections: number;
}

/** Why a socket closed. */
export type PoolDisconnectReason =
  /** Closed by the pool to make room for another origin under `maxConnections`. */
  | 'evicted'
  /** Closed by `close()` or `destroy()`. */
  | 'pool-closed'
  /** Closed by the keep-alive timer, the server, or a network error (see `detail`). */
  | 'socket-closed';

/** Published when a socket of the pool closed. Channel `x:pool:disconnect`. */
export interface PoolDisconnectEvent {
  origin: string;
  reason: PoolDisconnectReason;
  /** undici's description of the closing cause, such as `socket idle timeout`. */
  detail: string | undefined;
}

/** Published when a queued request failed with `PoolTimeoutError`. Channel `x:pool:queue-timeout`. */
export interface PoolQueueTimeoutEvent {
  origin: string;
  waitedMs: number;
}

/** How one DNS lookup was answered. */
export type DnsLookupOutcome = 'hit' | 'miss' | 'stale' | 'negative' | 'error';

/** Published for every DNS lookup that is not an IP literal. Channel `x:pool:dns`. */
export interface PoolDnsEvent {
  hostname: string;
  outcome: DnsLookupOutcome;
}

// A type rather than an interface, so that it is assignable to Record<string, unknown>.
export type PoolEventMap = {
  connect: PoolConnectEvent;
  disconnect: PoolDisconnectEvent;
  'queue-timeout': PoolQueueTimeoutEvent;
  dns: PoolDnsEvent;
};

export type PoolTopics = { [K in keyof PoolEventMap]: Topic<PoolEventMap[K]> };

/**
 * One `Topic` per event: the `onX()` listeners and the `x:pool:<event>` diagnostics channel. A
 * listener that throws never disturbs the pool (the events are emitted inside undici's callbacks)
 * and never crashes the process: it becomes a process warning naming @x/pool and the event.
 */
export function createPoolTopics(): PoolTopics {
  return createTopics<PoolEventMap>('pool', ['connect', 'disconnect', 'queue-timeout', 'dns']);
}
