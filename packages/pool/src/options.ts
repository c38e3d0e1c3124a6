import type { ConnectionOptions } from 'node:tls';
import {
  expectKnownKeys,
  expectLogger,
  expectPlainObject,
  fail,
  type KeyAliases,
  optionalDuration,
  optionalFunction,
  optionalNumber,
  PackageLog,
} from '@x/internal';
import type { PoolLogger } from './log';

/** One address returned by a {@link Resolver}. */
export interface ResolvedAddress {
  /** An IPv4 or IPv6 address. */
  address: string;
  /** 4 or 6; inferred from `address` when omitted. */
  family?: 4 | 6 | undefined;
  /**
   * Time to live of the record in seconds (as DNS and `dns.resolve4(host, { ttl: true })` report
   * it). The cache keeps the answer for `min(ttl, dnsTtlMs)`; without it, for `dnsTtlMs`.
   */
  ttl?: number | undefined;
}

/**
 * Resolves a hostname to addresses. The default uses `dns.promises.lookup(hostname, { all: true })`
 * (the operating system's resolver, including /etc/hosts), which reports no TTL.
 *
 * `signal` aborts when no request waits for the answer any more (every one aborted), when the
 * query times out (`connectTimeoutMs`) and on `destroy()`; whatever the resolver answers after
 * that is dropped. Honour it to cancel the query; one that ignores it runs to its end unused.
 * @example
 * ```ts
 * import { promises as dns } from 'node:dns';
 * const resolver: Resolver = async (host, { signal }) => {
 *   // A channel per query: cancel() ends every query of its channel, other hosts' included.
 *   const channel = new dns.Resolver({ timeout: 2_000, tries: 2 });
 *   const cancel = () => channel.cancel();
 *   signal.addEventListener('abort', cancel, { once: true });
 *   try {
 *     return await channel.resolve4(host, { ttl: true });
 *   } finally {
 *     signal.removeEventListener('abort', cancel);
 *   }
 * };
 * ```
 */
export type Resolver = (
  hostname: string,
  options: { signal: AbortSignal },
) => Promise<readonly ResolvedAddress[]>;

/**
 * Options of {@link createPool}. Every field is optional; an unknown key is a `TypeError` naming it
 * and the closest known key. Every duration is in milliseconds, at most 2^31-1 (about 24.8 days,
 * the longest delay a Node timer honours); a longer one is a `RangeError` naming the field.
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
  connectionsPerHost?: number | undefined;
  /**
   * Most sockets open (or opening) across all origins at a time. When it is reached, an idle socket
   * of another origin is closed to make room; if none is idle, the request waits.
   * @default 100
   */
  maxConnections?: number | undefined;
  /**
   * How long an idle socket is kept open for reuse. A server's shorter `Keep-Alive: timeout=N` hint
   * wins (the socket then closes one second before the server would close it).
   * @default 300_000
   */
  keepAliveTimeoutMs?: number | undefined;
  /**
   * Longest time a DNS answer is cached; a record's shorter TTL wins.
   * @default 300_000
   */
  dnsTtlMs?: number | undefined;
  /**
   * How long a failed DNS lookup is remembered (further lookups fail at once without a query).
   * @default 5_000
   */
  dnsNegativeTtlMs?: number | undefined;
  /**
   * How long past its expiry a cached DNS answer may still be served when the resolver fails.
   * `0` disables serving stale answers.
   * @default 60_000
   */
  dnsMaxStaleMs?: number | undefined;
  /**
   * Interval of the clean-up timer that drops idle origins and expired DNS entries. The timer is
   * unref'd and runs only while the pool holds origins.
   * @default 60_000
   */
  cleanupIntervalMs?: number | undefined;
  /**
   * Time allowed for one TCP (and TLS) connection attempt to one address.
   * @default 10_000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * Time allowed between sending a request and receiving the complete response headers.
   * @default 300_000
   */
  headersTimeoutMs?: number | undefined;
  /**
   * Longest silence allowed between two chunks of the response body. `0` disables it.
   * @default 300_000
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * Longest time a request may wait for a socket before it fails with `PoolTimeoutError`.
   * `Infinity` waits as long as it takes (no timer is armed).
   * @default Infinity
   */
  queueTimeoutMs?: number | undefined;
  /**
   * Resolves hostnames; inject one for tests or for a custom DNS. IP literals never reach it. Its
   * `signal` aborts once no request waits for the answer (see {@link Resolver}). The default runs
   * at most `UV_THREADPOOL_SIZE - 1` lookups at once in the process (see the README's DNS notes).
   * @default dns.promises.lookup(hostname, { all: true })
   */
  resolver?: Resolver | undefined;
  /**
   * TLS options for `https:` origins, passed to `tls.connect` (`ca`, `cert`, `key`,
   * `rejectUnauthorized`, ...). The SNI server name is always the origin's hostname, also when the
   * socket connects to a cached IP address.
   * @default undefined (Node's defaults: system CAs, certificates verified)
   */
  tls?: Omit<ConnectionOptions, 'host' | 'port' | 'path' | 'socket' | 'servername'> | undefined;
  /**
   * pino, `console` or any {@link PoolLogger}: structured entries for connection failures, DNS
   * failures and stale answers, queue timeouts and the pool's end (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: PoolLogger | undefined;
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
  /** The pool's log (silent without a `logger`). */
  log: PackageLog;
}

export const DEFAULT_OPTIONS: Readonly<Omit<ResolvedPoolOptions, 'resolver' | 'tls' | 'log'>> =
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

const OPTION_KEYS = [
  'connectionsPerHost',
  'maxConnections',
  'keepAliveTimeoutMs',
  'dnsTtlMs',
  'dnsNegativeTtlMs',
  'dnsMaxStaleMs',
  'cleanupIntervalMs',
  'connectTimeoutMs',
  'headersTimeoutMs',
  'bodyTimeoutMs',
  'queueTimeoutMs',
  'resolver',
  'tls',
  'logger',
] as const satisfies readonly (keyof PoolOptions)[];

/**
 * The names Node's `http.Agent` and undici give the socket limits: edit distance alone does not
 * lead from `maxSockets` to `connectionsPerHost`.
 */
const OPTION_ALIASES: KeyAliases = {
  maxSockets: 'connectionsPerHost',
  connections: 'connectionsPerHost',
  maxTotalSockets: 'maxConnections',
};

const COUNT = { min: 1, integer: true } as const;
/**
 * A count past 2^53-1 is no exact integer (`1e300` passes `Number.isInteger`): refused, as no pool
 * opens that many sockets. There is no "no limit" value (`Infinity` is refused as before).
 */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
// Durations are capped at 2^31-1 ms by expectDuration: Node fires a longer timer after 1 ms.
const POSITIVE_MS = { min: 1 } as const;

/**
 * Validates options and fills in defaults.
 * @throws {TypeError} when an option has the wrong type or an unknown key is given.
 * @throws {RangeError} when a number is out of range (durations above 2^31-1 ms included), or
 * `connectionsPerHost > maxConnections`.
 */
export function resolveOptions(options: PoolOptions | undefined): ResolvedPoolOptions {
  // An array or a Map would read as no options at all: refused, as anything but a plain object.
  if (options !== undefined) expectPlainObject('options', options);
  const given = options ?? {};
  expectKnownKeys(undefined, given, OPTION_KEYS, OPTION_ALIASES);
  const defaults = DEFAULT_OPTIONS;
  const count = (name: 'connectionsPerHost' | 'maxConnections'): number => {
    const value = optionalNumber(name, given[name], COUNT) ?? defaults[name];
    if (value > MAX_COUNT) fail(name, 'an integer >= 1 and at most 2^53-1', value, true);
    return value;
  };
  const duration = (
    name: Exclude<keyof typeof defaults, 'connectionsPerHost' | 'maxConnections'>,
    range: { min?: number | undefined; allowInfinity?: boolean | undefined } = {},
  ): number => optionalDuration(name, given[name], range) ?? defaults[name];
  const resolved: ResolvedPoolOptions = {
    connectionsPerHost: count('connectionsPerHost'),
    maxConnections: count('maxConnections'),
    keepAliveTimeoutMs: duration('keepAliveTimeoutMs', POSITIVE_MS),
    dnsTtlMs: duration('dnsTtlMs'),
    dnsNegativeTtlMs: duration('dnsNegativeTtlMs'),
    dnsMaxStaleMs: duration('dnsMaxStaleMs'),
    cleanupIntervalMs: duration('cleanupIntervalMs', POSITIVE_MS),
    connectTimeoutMs: duration('connectTimeoutMs', POSITIVE_MS),
    headersTimeoutMs: duration('headersTimeoutMs'),
    bodyTimeoutMs: duration('bodyTimeoutMs'),
    queueTimeoutMs: duration('queueTimeoutMs', { allowInfinity: true }),
    resolver: optionalFunction<Resolver>('resolver', given.resolver),
    tls: undefined,
    log: new PackageLog('pool', expectLogger('logger', given.logger)),
  };
  if (given.tls !== undefined) {
    // Handed to tls.connect as they are: Node's option set, which grows with Node versions, so its
    // keys are not checked here (TypeScript checks them against the installed Node types).
    expectPlainObject('tls', given.tls);
    resolved.tls = given.tls;
  }
  if (given.connectionsPerHost === undefined) {
    // Only the default is clamped; an explicit contradiction is an error below.
    resolved.connectionsPerHost = Math.min(resolved.connectionsPerHost, resolved.maxConnections);
  }
  if (resolved.connectionsPerHost > resolved.maxConnections) {
    fail(
      'connectionsPerHost',
      // `maxConnections` as a path of its own: under a provider it reads `pool.maxConnections`.
      ['<= `', 'maxConnections', `\` (${resolved.maxConnections})`],
      resolved.connectionsPerHost,
      true,
    );
  }
  return resolved;
}
