import { isIP } from 'node:net';
import { deferred, raceAbort } from '@x/internal';
import { PoolDnsError } from '../errors';
import type { PoolTopics } from '../events';
import type { ResolvedAddress, ResolvedPoolOptions, Resolver } from '../options';
import { type SystemLookups, systemLookups } from './system-lookup';

export interface Address {
  address: string;
  family: 4 | 6;
}

/**
 * A resolver query in flight, shared by every lookup of its name. It lives only while a lookup
 * waits for it: the last one gone, it is abandoned. Its time is read on the monotonic clock, as
 * every time of the cache: a wall clock stepped back (NTP, a VM resumed) would stretch each TTL
 * by the step, a failure cached for `dnsNegativeTtlMs` then lasting hours.
 */
interface Query {
  promise: Promise<Address[]>;
  /** Lookups waiting for the answer. */
  waiters: number;
  /**
   * Ends the query at once: the resolver's signal aborts, the timer stops, and what the resolver
   * answers later is neither cached nor reported.
   */
  abandon(reason: unknown): void;
}

interface Entry {
  /** Last good answer, or null when the name never resolved. */
  addresses: Address[] | null;
  /** Fresh until (`performance.now()` ms). */
  expiresAt: number;
  /** A stale answer may be served until (`performance.now()` ms) when the resolver fails. */
  staleUntil: number;
  /** Failures are remembered until (`performance.now()` ms); no query is made before it. */
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

/**
 * What a resolver's answer gives: its usable addresses (entries that are not objects with an IP
 * `address` skipped, duplicates dropped) and how long they stay fresh, from the TTLs of those
 * entries only. A resolver is user code: a skipped entry (`null`, `{ address: 'nope' }`) must
 * neither fail the answer nor shorten it.
 */
function readAnswer(records: unknown, ttlMs: number): { addresses: Address[]; freshMs: number } {
  const addresses: Address[] = [];
  const used: ResolvedAddress[] = [];
  const seen = new Set<string>();
  for (const r of Array.isArray(records) ? (records as unknown[]) : []) {
    if (r === null || typeof r !== 'object') continue;
    const record = r as ResolvedAddress;
    if (typeof record.address !== 'string') continue;
    const kind = isIP(record.address);
    if (kind === 0) continue;
    used.push(record);
    if (seen.has(record.address)) continue;
    seen.add(record.address);
    addresses.push({ address: record.address, family: kind === 6 ? 6 : 4 });
  }
  return { addresses, freshMs: freshForMs(used, ttlMs) };
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
  readonly #inflight = new Map<string, Query>();
  readonly #options: DnsCacheOptions;
  readonly #resolver: Resolver;
  /** The default resolver's calls, when no `resolver` was given. */
  readonly #system: SystemLookups | undefined;
  readonly #observe: (hostname: string, outcome: DnsOutcome) => void;

  constructor(options: DnsCacheOptions, observe: (hostname: string, outcome: DnsOutcome) => void) {
    this.#options = options;
    this.#system = options.resolver === undefined ? systemLookups() : undefined;
    this.#resolver = options.resolver ?? systemLookups().resolve;
    this.#observe = observe;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Addresses to try for `hostname`, in order. IP literals are returned as they are. A lookup
   * given a `signal` stops waiting (rejects with its reason) when it aborts; the query goes on
   * for the other lookups, and is abandoned when none is left.
   */
  lookup(hostname: string, signal?: AbortSignal): Promise<Address[]> {
    const literal = isIP(hostname);
    if (literal !== 0)
      return Promise.resolve([{ address: hostname, family: literal === 6 ? 6 : 4 }]);
    const now = performance.now();
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
    // Checked before a query exists: one started for no waiter would never be abandoned.
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.counters.misses++;
    this.#observe(hostname, 'miss');
    let query = this.#inflight.get(hostname);
    if (query === undefined) {
      query = this.#query(hostname);
      this.#inflight.set(hostname, query);
    }
    const take = (addresses: Address[]): Address[] => {
      const current = this.#entries.get(hostname);
      // Each caller takes its own turn of the rotation.
      return current?.addresses ? this.#take(current) : addresses;
    };
    return this.#wait(query, hostname, signal).then(take);
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
  prune(now = performance.now()): number {
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

  /**
   * Ends every query in flight (their resolver's signal aborts, their timers stop, a late answer
   * is dropped) and empties the cache: after the pool's end, nothing of it runs, fills the cache
   * or reports a failure.
   */
  clear(): void {
    const reason = new Error('DNS cache cleared');
    for (const query of [...this.#inflight.values()]) query.abandon(reason);
    this.#entries.clear();
  }

  #take(entry: Entry): Address[] {
    const addresses = entry.addresses!;
    const ordered = orderAddresses(addresses, entry.cursor, entry.failed);
    entry.cursor = (entry.cursor + 1) % addresses.length;
    return ordered;
  }

  /**
   * The query's answer, as a waiting lookup sees it: `signal` ends the wait, and the last wait
   * ends the query. Its answer would be for nobody: kept running, a resolver that can be
   * cancelled would run on, the timer would fire for nobody and cache a failure (the name then
   * failing at once for `dnsNegativeTtlMs`), and a late answer would fill the cache unasked,
   * after fresher ones. A later lookup of the name starts a query of its own.
   */
  #wait(query: Query, hostname: string, signal: AbortSignal | undefined): Promise<Address[]> {
    query.waiters++;
    return raceAbort(query.promise, signal, () => {
      if (--query.waiters > 0) return;
      const why = new Error(`DNS query for ${hostname} abandoned: no request waits for it`, {
        cause: signal?.reason,
      });
      query.abandon(why);
    });
  }

  #query(hostname: string): Query {
    this.counters.queries++;
    const { queryTimeoutMs } = this.#options;
    const controller = new AbortController();
    const result = deferred<Address[]>();
    let settled = false;
    const end = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (this.#inflight.get(hostname) === query) this.#inflight.delete(hostname);
      return true;
    };
    const settle = (failed: boolean, outcome: unknown): void => {
      if (!end()) return;
      try {
        result.resolve(
          failed
            ? this.#failed(hostname, outcome)
            : this.#answered(hostname, outcome as readonly ResolvedAddress[]),
        );
      } catch (error) {
        result.reject(error);
      }
    };
    // Ref'd: it lives only while a lookup waits (see #wait), and a resolver that never answers
    // holds no handle of its own; an unref'd timer would let the process exit with the request
    // unsettled instead of failing it with PoolDnsError.
    const timer = setTimeout(() => {
      // A name that never got its turn is not the one to blame: the calls ahead of it are slow
      // or hung.
      const ahead = this.#system?.inLine(hostname)
        ? `, waiting for its turn behind ${this.#system.running} OS resolver lookups still running`
        : '';
      const error = new Error(
        `DNS query for ${hostname} timed out after ${queryTimeoutMs} ms${ahead}`,
      );
      controller.abort(error);
      settle(true, error);
    }, queryTimeoutMs);
    const query: Query = {
      promise: result.promise,
      waiters: 0,
      abandon: (reason) => {
        if (!end()) return;
        controller.abort(reason);
        result.reject(reason);
      },
    };
    let answer: Promise<readonly ResolvedAddress[]>;
    try {
      answer = Promise.resolve(this.#resolver(hostname, { signal: controller.signal }));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (records) => settle(false, records),
      (error: unknown) => settle(true, error),
    );
    return query;
  }

  /** Caches a resolver's answer; an answer with no usable address (or unreadable) is a failure. */
  #answered(hostname: string, records: readonly ResolvedAddress[]): Address[] {
    let answer: ReturnType<typeof readAnswer>;
    try {
      answer = readAnswer(records, this.#options.ttlMs);
    } catch (error) {
      // An entry's getter threw: the resolver failed, as if it had rejected.
      return this.#failed(hostname, error);
    }
    const { addresses, freshMs } = answer;
    if (addresses.length === 0) {
      const error = Object.assign(new Error(`No address found for ${hostname}`), {
        code: 'ENOTFOUND',
      });
      return this.#failed(hostname, error);
    }
    const expiresAt = performance.now() + freshMs;
    const previous = this.#entries.get(hostname);
    this.#entries.set(hostname, {
      addresses,
      expiresAt,
      staleUntil: expiresAt + this.#options.maxStaleMs,
      errorUntil: 0,
      error: undefined,
      cursor: previous?.cursor ?? 0,
      failed: new Set(),
    });
    return addresses;
  }

  /** Records a failed query: the stale answer when one may serve, else PoolDnsError. */
  #failed(hostname: string, cause: unknown): Address[] {
    const { negativeTtlMs } = this.#options;
    this.counters.errors++;
    const now = performance.now();
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
  }
}

/** The pool's DNS cache: its options from the pool's, its outcomes to the `dns` topic. */
export function createDnsCache(options: ResolvedPoolOptions, topics: PoolTopics): DnsCache {
  return new DnsCache(
    {
      ttlMs: options.dnsTtlMs,
      negativeTtlMs: options.dnsNegativeTtlMs,
      maxStaleMs: options.dnsMaxStaleMs,
      queryTimeoutMs: options.connectTimeoutMs,
      resolver: options.resolver,
    },
    (hostname, outcome) => {
      if (topics.dns.active) topics.dns.emit({ hostname, outcome });
    },
  );
}
