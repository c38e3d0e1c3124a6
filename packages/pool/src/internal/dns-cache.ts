import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { onAbort } from '@x/internal';
import { PoolDnsError } from '../errors';
import type { ResolvedAddress, Resolver } from '../options';

export interface Address {
  address: string;
  family: 4 | 6;
}

interface Entry {
  /** Last good answer, or null when the name never resolved. */
  addresses: Address[] | null;
  /** Fresh until (epoch ms). */
  expiresAt: number;
  /** A stale answer may be served until (epoch ms) when the resolver fails. */
  staleUntil: number;
  /** Failures are remembered until (epoch ms); no query is made before it. */
  errorUntil: number;
  error: unknown;
  /** Round-robin position. */
  cursor: number;
  /** Addresses that refused a connection, tried last while this answer lives. */
  failed: Set<string>;
}

export interface DnsCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxStaleMs: number;
  /** Bound on one resolver query. */
  queryTimeoutMs: number;
  resolver: Resolver | undefined;
}

export type DnsOutcome = 'hit' | 'miss' | 'stale' | 'negative' | 'error';

export interface DnsCounters {
  hits: number;
  misses: number;
  stale: number;
  negative: number;
  errors: number;
  queries: number;
}

const defaultResolver: Resolver = async (hostname) => {
  const found = await dnsPromises.lookup(hostname, { all: true, order: 'verbatim' });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Computes how long an answer stays fresh: the smallest record TTL, capped by `ttlMs`. */
export function freshForMs(records: readonly ResolvedAddress[], ttlMs: number): number {
  let fresh = ttlMs;
  for (const r of records) {
    if (typeof r.ttl === 'number' && Number.isFinite(r.ttl) && r.ttl >= 0) {
      fresh = Math.min(fresh, r.ttl * 1000);
    }
  }
  return fresh;
}

/** Orders addresses for one connection: rotated from `cursor`, refused addresses last. */
export function orderAddresses(
  addresses: readonly Address[],
  cursor: number,
  failed: ReadonlySet<string>,
): Address[] {
  const n = addresses.length;
  const good: Address[] = [];
  const bad: Address[] = [];
  for (let i = 0; i < n; i++) {
    const a = addresses[(cursor + i) % n]!;
    (failed.has(a.address) ? bad : good).push(a);
  }
  return good.concat(bad);
}

function normalise(records: readonly ResolvedAddress[]): Address[] {
  const out: Address[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (!r || typeof r.address !== 'string') continue;
    const kind = isIP(r.address);
    if (kind === 0 || seen.has(r.address)) continue;
    seen.add(r.address);
    out.push({ address: r.address, family: kind === 6 ? 6 : 4 });
  }
  return out;
}

/**
 * A DNS cache that honours record TTLs, shares concurrent queries, remembers failures briefly and
 * serves a stale answer for a bounded time when the resolver fails.
 */
export class DnsCache {
  readonly counters: DnsCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    negative: 0,
    errors: 0,
    queries: 0,
  };
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Address[]>>();
  readonly #options: DnsCacheOptions;
  readonly #resolver: Resolver;
  #controller = new AbortController();
  readonly #observe: (hostname: string, outcome: DnsOutcome) => void;

  constructor(options: DnsCacheOptions, observe: (hostname: string, outcome: DnsOutcome) => void) {
    this.#options = options;
    this.#resolver = options.resolver ?? defaultResolver;
    this.#observe = observe;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Addresses to try for `hostname`, in order. IP literals are returned as they are. */
  lookup(hostname: string): Promise<Address[]> {
    const literal = isIP(hostname);
    if (literal !== 0)
      return Promise.resolve([{ address: hostname, family: literal === 6 ? 6 : 4 }]);
    const now = Date.now();
    const entry = this.#entries.get(hostname);
    if (entry !== undefined) {
      if (entry.addresses !== null && now < entry.expiresAt) {
        this.counters.hits++;
        this.#observe(hostname, 'hit');
        return Promise.resolve(this.#take(entry));
      }
      if (now < entry.errorUntil) {
        if (entry.addresses !== null && now < entry.staleUntil) {
          this.counters.stale++;
          this.#observe(hostname, 'stale');
          return Promise.resolve(this.#take(entry));
        }
        this.counters.negative++;
        this.#observe(hostname, 'negative');
        return Promise.reject(new PoolDnsError(hostname, true, { cause: entry.error }));
      }
    }
    this.counters.misses++;
    this.#observe(hostname, 'miss');
    let pending = this.#inflight.get(hostname);
    if (pending === undefined) {
      pending = this.#query(hostname);
      this.#inflight.set(hostname, pending);
      const clear = () => this.#inflight.delete(hostname);
      pending.then(clear, clear);
    }
    return pending.then((addresses) => {
      const current = this.#entries.get(hostname);
      // Each caller takes its own turn of the rotation.
      return current?.addresses ? this.#take(current) : addresses;
    });
  }

  /** Remembers that `address` refused a connection, so it is tried last while its answer lives. */
  markFailed(hostname: string, address: string): void {
    this.#entries.get(hostname)?.failed.add(address);
  }

  /** Forgets a refusal once the address accepted a connection again. */
  markHealthy(hostname: string, address: string): void {
    this.#entries.get(hostname)?.failed.delete(address);
  }

  /** Drops entries that can no longer be served. Returns how many were dropped. */
  prune(now = Date.now()): number {
    let dropped = 0;
    for (const [hostname, entry] of this.#entries) {
      const servable = entry.addresses !== null && now < entry.staleUntil;
      if (!servable && now >= entry.errorUntil && !this.#inflight.has(hostname)) {
        this.#entries.delete(hostname);
        dropped++;
      }
    }
    return dropped;
  }

  /** Aborts queries in flight and empties the cache. */
  clear(): void {
    this.#controller.abort(new Error('DNS cache cleared'));
    this.#controller = new AbortController();
    this.#entries.clear();
  }

  #take(entry: Entry): Address[] {
    const addresses = entry.addresses!;
    const ordered = orderAddresses(addresses, entry.cursor, entry.failed);
    entry.cursor = (entry.cursor + 1) % addresses.length;
    return ordered;
  }

  async #query(hostname: string): Promise<Address[]> {
    this.counters.queries++;
    const { queryTimeoutMs, ttlMs, negativeTtlMs, maxStaleMs } = this.#options;
    const controller = new AbortController();
    const parent = this.#controller.signal;
    // One listener per query in flight on the cache's signal: more than ten hostnames resolving
    // at once is normal, and must not print MaxListenersExceededWarning.
    const stopListening = onAbort(parent, () => controller.abort(parent.reason));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`DNS query for ${hostname} timed out after ${queryTimeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, queryTimeoutMs);
      timer.unref?.();
    });
    try {
      const records = await Promise.race([
        this.#resolver(hostname, { signal: controller.signal }),
        timedOut,
      ]);
      const addresses = normalise(Array.isArray(records) ? records : []);
      if (addresses.length === 0) {
        throw Object.assign(new Error(`No address found for ${hostname}`), { code: 'ENOTFOUND' });
      }
      const now = Date.now();
      const expiresAt = now + freshForMs(records, ttlMs);
      const previous = this.#entries.get(hostname);
      this.#entries.set(hostname, {
        addresses,
        expiresAt,
        staleUntil: expiresAt + maxStaleMs,
        errorUntil: 0,
        error: undefined,
        cursor: previous?.cursor ?? 0,
        failed: new Set(),
      });
      return addresses;
    } catch (cause) {
      this.counters.errors++;
      const now = Date.now();
      const previous = this.#entries.get(hostname);
      if (previous?.addresses && now < previous.staleUntil) {
        // The resolver is failing: keep serving the last answer, and do not re-query before
        // negativeTtlMs so a broken resolver is not hammered.
        previous.errorUntil = now + negativeTtlMs;
        previous.error = cause;
        this.counters.stale++;
        this.#observe(hostname, 'stale');
        return previous.addresses;
      }
      this.#observe(hostname, 'error');
      if (negativeTtlMs > 0) {
        this.#entries.set(hostname, {
          addresses: null,
          expiresAt: 0,
          staleUntil: 0,
          errorUntil: now + negativeTtlMs,
          error: cause,
          cursor: 0,
          failed: new Set(),
        });
      } else {
        this.#entries.delete(hostname);
      }
      throw new PoolDnsError(hostname, false, { cause });
    } finally {
      clearTimeout(timer);
      stopListening();
    }
  }
}
