import type { ConnectionOptions } from 'node:tls';

/** One address returned by a {@link Resolver}. */
export interface ResolvedAddress {
  /** An IPv4 or IPv6 address. */
  address: string;
  /** 4 or 6; inferred from `address` when omitted. */
  family?: 4 | 6;
  /**
   * Time to live of the record in seconds (as DNS and `dns.resolve4(host, { ttl: true })` report
   * it). The cache keeps the answer for `min(ttl, dnsTtlMs)`; without it, for `dnsTtlMs`.
   */
  ttl?: number;
}

/**
 * Resolves a hostname to addresses. The default uses `dns.promises.lookup(hostname, { all: true })`
 * (the operating system's resolver, including /etc/hosts), which reports no TTL.
 * @example
 * ```ts
 * import { promises as dns } from 'node:dns';
 * const resolver: Resolver = async (host) => dns.resolve4(host, { ttl: true });
 * ```
 */
export type Resolver = (
  hostname: string,
  options: { signal: AbortSignal },
) => Promise<readonly ResolvedAddress[]>;

/**
 * Options of {@link createPool}. Every field is optional.
 * @example
 * ```ts
 * const options: PoolOptions = { connectionsPerHost: 8, maxConnections: 32, queueTimeoutMs: 2_000 };
 * ```
 */
export interface PoolOptions {
  /**
   * Most sockets open (or opening) to one origin (`scheme://host:port`) at a time.
   * @default 20
   */
  connectionsPerHost?: number;
  /**
   * Most sockets open (or opening) across all origins at a time. When it is reached, an idle socket
   * of another origin is closed to make room; if none is idle, the request waits.
   * @default 100
   */
  maxConnections?: number;
  /**
   * How long an idle socket is kept open for reuse. A server's shorter `Keep-Alive: timeout=N` hint
   * wins (the socket then closes one second before the server would close it).
   * @default 300_000
   */
  keepAliveTimeoutMs?: number;
  /**
   * Longest time a DNS answer is cached; a record's shorter TTL wins.
   * @default 300_000
   */
  dnsTtlMs?: number;
  /**
   * How long a failed DNS lookup is remembered (further lookups fail at once without a query).
   * @default 5_000
   */
  dnsNegativeTtlMs?: number;
  /**
   * How long past its expiry a cached DNS answer may still be served when the resolver fails.
   * `0` disables serving stale answers.
   * @default 60_000
   */
  dnsMaxStaleMs?: number;
  /**
   * Interval of the clean-up timer that drops idle origins and expired DNS entries. The timer is
   * unref'd and runs only while the pool holds origins.
   * @default 60_000
   */
  cleanupIntervalMs?: number;
  /**
   * Time allowed for one TCP (and TLS) connection attempt to one address.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * Time allowed between sending a request and receiving the complete response headers.
   * @default 300_000
   */
  headersTimeoutMs?: number;
  /**
   * Longest silence allowed between two chunks of the response body. `0` disables it.
   * @default 300_000
   */
  bodyTimeoutMs?: number;
  /**
   * Longest time a request may wait for a socket before it fails with `PoolTimeoutError`.
   * `Infinity` waits as long as it takes (no timer is armed).
   * @default Infinity
   */
  queueTimeoutMs?: number;
  /**
   * Resolves hostnames; inject one for tests or for a custom DNS. IP literals never reach it.
   * @default dns.promises.lookup(hostname, { all: true })
   */
  resolver?: Resolver;
  /**
   * TLS options for `https:` origins, passed to `tls.connect` (`ca`, `cert`, `key`,
   * `rejectUnauthorized`, ...). The SNI server name is always the origin's hostname, also when the
   * socket connects to a cached IP address.
   * @default undefined (Node's defaults: system CAs, certificates verified)
   */
  tls?: Omit<ConnectionOptions, 'host' | 'port' | 'path' | 'socket' | 'servername'>;
}

/** Options after validation and defaults. */
export interface ResolvedPoolOptions {
  connectionsPerHost: number;
  maxConnections: number;
  keepAliveTimeoutMs: number;
  dnsTtlMs: number;
  dnsNegativeTtlMs: number;
  dnsMaxStaleMs: number;
  cleanupIntervalMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  queueTimeoutMs: number;
  resolver: Resolver | undefined;
  tls: PoolOptions['tls'];
}

export const DEFAULT_OPTIONS: Readonly<Omit<ResolvedPoolOptions, 'resolver' | 'tls'>> =
  Object.freeze({
    connectionsPerHost: 20,
    maxConnections: 100,
    keepAliveTimeoutMs: 300_000,
    dnsTtlMs: 300_000,
    dnsNegativeTtlMs: 5_000,
    dnsMaxStaleMs: 60_000,
    cleanupIntervalMs: 60_000,
    connectTimeoutMs: 10_000,
    headersTimeoutMs: 300_000,
    bodyTimeoutMs: 300_000,
    queueTimeoutMs: Number.POSITIVE_INFINITY,
  });

function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = value;
  else if (typeof value === 'function') shown = 'function';
  else {
    try {
      shown = String(value);
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  }
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

type Rule = { integer: boolean; min: number; allowInfinity: boolean };

function check(name: string, value: unknown, rule: Rule, fallback: number): number {
  if (value === undefined) return fallback;
  const what = `${rule.integer ? 'an integer' : 'a finite number'} >= ${rule.min}${
    rule.allowInfinity ? ' or Infinity' : ''
  }`;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
  }
  if (value === Number.POSITIVE_INFINITY && rule.allowInfinity) return value;
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
  }
  if (value < rule.min) {
    throw new RangeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
  }
  return value;
}

const COUNT: Rule = { integer: true, min: 1, allowInfinity: false };
const POSITIVE_MS: Rule = { integer: false, min: 1, allowInfinity: false };
const MS: Rule = { integer: false, min: 0, allowInfinity: false };
// Timer delays beyond 2^31-1 ms overflow to 1 ms in Node; refuse them instead of firing at once.
const MAX_TIMER_MS = 2_147_483_647;

function capTimer(name: string, value: number): number {
  if (Number.isFinite(value) && value > MAX_TIMER_MS) {
    throw new RangeError(
      `Expected \`${name}\` to be <= ${MAX_TIMER_MS}${name === 'queueTimeoutMs' ? ' or Infinity' : ''}, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Validates options and fills in defaults.
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when a number is out of range, or `connectionsPerHost > maxConnections`.
 */
export function resolveOptions(options: PoolOptions | undefined): ResolvedPoolOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  }
  const o = options ?? {};
  const d = DEFAULT_OPTIONS;
  const resolved: ResolvedPoolOptions = {
    connectionsPerHost: check(
      'connectionsPerHost',
      o.connectionsPerHost,
      COUNT,
      d.connectionsPerHost,
    ),
    maxConnections: check('maxConnections', o.maxConnections, COUNT, d.maxConnections),
    keepAliveTimeoutMs: capTimer(
      'keepAliveTimeoutMs',
      check('keepAliveTimeoutMs', o.keepAliveTimeoutMs, POSITIVE_MS, d.keepAliveTimeoutMs),
    ),
    dnsTtlMs: check('dnsTtlMs', o.dnsTtlMs, MS, d.dnsTtlMs),
    dnsNegativeTtlMs: check('dnsNegativeTtlMs', o.dnsNegativeTtlMs, MS, d.dnsNegativeTtlMs),
    dnsMaxStaleMs: check('dnsMaxStaleMs', o.dnsMaxStaleMs, MS, d.dnsMaxStaleMs),
    cleanupIntervalMs: capTimer(
      'cleanupIntervalMs',
      check('cleanupIntervalMs', o.cleanupIntervalMs, POSITIVE_MS, d.cleanupIntervalMs),
    ),
    connectTimeoutMs: capTimer(
      'connectTimeoutMs',
      check('connectTimeoutMs', o.connectTimeoutMs, POSITIVE_MS, d.connectTimeoutMs),
    ),
    headersTimeoutMs: capTimer(
      'headersTimeoutMs',
      check('headersTimeoutMs', o.headersTimeoutMs, MS, d.headersTimeoutMs),
    ),
    bodyTimeoutMs: capTimer(
      'bodyTimeoutMs',
      check('bodyTimeoutMs', o.bodyTimeoutMs, MS, d.bodyTimeoutMs),
    ),
    queueTimeoutMs: capTimer(
      'queueTimeoutMs',
      check(
        'queueTimeoutMs',
        o.queueTimeoutMs,
        { integer: false, min: 0, allowInfinity: true },
        d.queueTimeoutMs,
      ),
    ),
    resolver: undefined,
    tls: undefined,
  };
  if (o.tls !== undefined) {
    if (typeof o.tls !== 'object' || o.tls === null) {
      throw new TypeError(`Expected \`tls\` to be an object, got ${describe(o.tls)}`);
    }
    resolved.tls = o.tls;
  }
  if (o.resolver !== undefined) {
    if (typeof o.resolver !== 'function') {
      throw new TypeError(`Expected \`resolver\` to be a function, got ${describe(o.resolver)}`);
    }
    resolved.resolver = o.resolver;
  }
  if (o.connectionsPerHost === undefined) {
    // Only the default is clamped; an explicit contradiction is an error below.
    resolved.connectionsPerHost = Math.min(resolved.connectionsPerHost, resolved.maxConnections);
  }
  if (resolved.connectionsPerHost > resolved.maxConnections) {
    throw new RangeError(
      `Expected \`connectionsPerHost\` to be <= \`maxConnections\` (${resolved.maxConnections}), got ${describe(resolved.connectionsPerHost)}`,
    );
  }
  return resolved;
}
