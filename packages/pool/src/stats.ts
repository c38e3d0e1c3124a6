/** Connection and queue figures of one origin, shaped like undici's `PoolStats`. */
export interface OriginStats {
  /** Sockets connected to the origin. */
  connected: number;
  /** Connected sockets with no request on them (ready for reuse). */
  free: number;
  /** Requests not yet written to a socket: `queued` plus those waiting on a connecting socket. */
  pending: number;
  /** Requests written to a socket and awaiting or receiving their response. */
  running: number;
  /** Requests waiting in the pool's queue for a socket (per-host or total cap reached). */
  queued: number;
  /**
   * Sockets open or opening to this origin, and those being closed (by `close()`, an eviction)
   * until they are: `connectionsPerHost` caps the others.
   */
  sockets: number;
  /** Sockets ever opened to this origin. */
  socketsCreated: number;
  /** Requests ever handed to a connected socket of this origin (not those whose connection failed). */
  requestsServed: number;
}

/** DNS cache counters. */
export interface DnsStats {
  /** Lookups answered from a fresh cache entry. */
  hits: number;
  /** Lookups that waited for a resolver query (concurrent ones share the query). */
  misses: number;
  /** Lookups answered with an expired entry because the resolver failed. */
  stale: number;
  /** Lookups failed at once from a cached failure. */
  negative: number;
  /** Resolver queries that failed (or timed out). */
  errors: number;
  /** Resolver queries made. */
  queries: number;
  /** Hostnames currently cached (answers and failures). */
  entries: number;
}

/** A JSON-serialisable snapshot returned by `pool.stats()`. Counters never reset. */
export interface PoolStats {
  /** Per origin (`scheme://host:port`), for origins the pool currently holds. */
  origins: Record<string, OriginStats>;
  /** Sums over `origins` (`connected`, `free`, `pending`, `running`, `queued`, `sockets`). */
  totals: Omit<OriginStats, 'socketsCreated' | 'requestsServed'>;
  /** The configured limits, for reading the totals against. */
  limits: { connectionsPerHost: number; maxConnections: number };
  /** Sockets ever opened. */
  socketsCreated: number;
  /** Requests ever handed to a connected socket (not those whose connection failed). */
  requestsServed: number;
  /** Share of requests served on an already open socket: `1 - socketsCreated / requestsServed`, 0 before any request. */
  reuseRatio: number;
  /** Requests that failed with `PoolTimeoutError`. */
  queueTimeouts: number;
  /** Idle sockets closed to make room for another origin under `maxConnections`. */
  evictions: number;
  /** DNS cache counters. */
  dns: DnsStats;
  /** Whether `close()` or `destroy()` was called. */
  closed: boolean;
}
