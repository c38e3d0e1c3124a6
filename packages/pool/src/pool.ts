import { expected, expectFunction, isAbortSignal } from '@x/internal';
import { type Dispatcher, fetch as undiciFetch, request as undiciRequest } from 'undici';
import {
  createPoolTopics,
  type PoolConnectEvent,
  type PoolDisconnectEvent,
  type PoolDnsEvent,
  type PoolQueueTimeoutEvent,
} from './events';
import { PoolDispatcher } from './internal/dispatcher';
import { standInSignal } from './internal/fetch-signal';
import type { OriginState } from './internal/origins';
import { redirectGuard } from './internal/redirect-guard';
import { expectRequestKeys } from './internal/request-keys';
import { fetchWithoutUserinfo, scrubUserinfo, withoutUserinfo } from './internal/scrub';
import { SignalRelay } from './internal/signal-relay';
import { createTargetParser, expectUnambiguousUserinfo } from './internal/targets';
import { isForeignFormData, ownBody, ownInput } from './internal/web-inputs';
import { logEnd, logPoolEvents } from './log';
import { type PoolOptions, resolveOptions } from './options';
import type { OriginStats, PoolStats } from './stats';

/**
 * Options of `pool.request`: undici's `request` options without `dispatcher`; `body` may also be
 * Node's global `FormData` (another undici's class, sent as multipart as undici's own is).
 */
export type PoolRequestOptions = Omit<
  NonNullable<Parameters<typeof undiciRequest>[1]>,
  'dispatcher' | 'body'
> & { body?: NonNullable<Parameters<typeof undiciRequest>[1]>['body'] | FormData | undefined };
/** undici's own `request` options, as the pool hands them on. */
type UndiciRequestOptions = Omit<NonNullable<Parameters<typeof undiciRequest>[1]>, 'dispatcher'>;
/** undici's own `fetch` input, as the pool hands it on. */
type UndiciFetchInput = Parameters<typeof undiciFetch>[0];
/** undici's own `fetch` init, as the pool hands it on. */
type UndiciFetchInit = Omit<NonNullable<Parameters<typeof undiciFetch>[1]>, 'dispatcher'>;
/** The response of `pool.request`: undici's `ResponseData`. */
export type PoolResponseData = Dispatcher.ResponseData;
/** The `input` of `pool.fetch`: undici's, or Node's global `Request` (another undici's class). */
export type PoolFetchInput = Parameters<typeof undiciFetch>[0] | Request;
/**
 * The `init` of `pool.fetch`: undici's `RequestInit` without `dispatcher`; `body` may also be
 * Node's global `FormData`, sent as Node's global `fetch` sends it.
 */
export type PoolFetchInit = Omit<
  NonNullable<Parameters<typeof undiciFetch>[1]>,
  'dispatcher' | 'body'
> & {
  body?: NonNullable<Parameters<typeof undiciFetch>[1]>['body'] | FormData | undefined;
};
/** The response of `pool.fetch`: undici's `Response`. */
export type PoolFetchResponse = Awaited<ReturnType<typeof undiciFetch>>;

/**
 * The signal undici's request handler gets: for an abort signal, a stand-in listening through the
 * pool's one listener per signal ({@link SignalRelay}); anything else as given, for undici to
 * take (an EventEmitter) or refuse.
 */
function relayed<T>(signal: T): T {
  return signal != null && isAbortSignal(signal) ? (new SignalRelay(signal) as T) : signal;
}

/**
 * One shared HTTP connection pool. Create it with {@link createPool}.
 * @example
 * ```ts
 * const pool = createPool();
 * const res = await pool.fetch('http://localhost:11434/api/tags');
 * console.log(await res.json(), pool.stats().reuseRatio);
 * await pool.close();
 * ```
 */
export interface Pool {
  /**
   * The pool as an undici `Dispatcher`: pass it to undici's `request`, `fetch`, `stream`, or as
   * `setGlobalDispatcher(pool.dispatcher)`. Everything sent through it obeys the pool's limits.
   */
  readonly dispatcher: Dispatcher;
  /**
   * Sends a request with undici's `request` semantics (`{ statusCode, headers, body }`; the body
   * must be consumed or destroyed). Accepts `{ signal }`.
   * @throws {PoolTimeoutError} when it waited longer than `queueTimeoutMs` for a socket.
   * @throws {PoolClosedError} after `close()` or `destroy()`.
   * @throws {PoolDnsError} when the hostname cannot be resolved.
   * @throws {TypeError} naming `url` when it is no absolute `http:`/`https:` URL, or has userinfo
   * and an `@` after its host (a password's unescaped `@`, `/` or `#` would make a piece of it the
   * host), before anything is sent.
   */
  request(url: string | URL, options?: PoolRequestOptions): Promise<PoolResponseData>;
  /**
   * WHATWG `fetch` (undici's) through the pool. Pool errors arrive as the `cause` of fetch's
   * `TypeError: fetch failed`, as fetch reports every network error. No rejection shows the
   * password of a URL, the caller's or a redirect's `Location`.
   */
  fetch(input: PoolFetchInput, init?: PoolFetchInit): Promise<PoolFetchResponse>;
  /** A JSON-serialisable snapshot of connections, queues, counters and the DNS cache. */
  stats(): PoolStats;
  /** Calls `listener` when a socket opened. Returns an unsubscribe function. */
  onConnect(listener: (event: PoolConnectEvent) => void): () => void;
  /** Calls `listener` when a socket closed. Returns an unsubscribe function. */
  onDisconnect(listener: (event: PoolDisconnectEvent) => void): () => void;
  /** Calls `listener` when a queued request timed out. Returns an unsubscribe function. */
  onQueueTimeout(listener: (event: PoolQueueTimeoutEvent) => void): () => void;
  /** Calls `listener` for every DNS lookup of a hostname. Returns an unsubscribe function. */
  onDnsLookup(listener: (event: PoolDnsEvent) => void): () => void;
  /**
   * Refuses new requests, lets queued and running ones finish, then closes every socket and
   * timer. Resolves when nothing is left open.
   */
  close(): Promise<void>;
  /**
   * Calls {@link Pool.close}, so that `await using pool = createPool()` closes the pool when the
   * block ends.
   */
  [Symbol.asyncDispose](): Promise<void>;
  /**
   * Ends at once: queued requests fail with `PoolClosedError` (or `error`), running ones are
   * aborted, sockets and timers are closed. Resolves when nothing is left open.
   */
  destroy(error?: Error): Promise<void>;
  /** True after `close()` or `destroy()` was called. */
  readonly closed: boolean;
}

/**
 * Creates a connection pool: at most `connectionsPerHost` sockets per origin and `maxConnections`
 * in total, keep-alive reuse, a DNS cache honouring TTLs, and stats.
 *
 * @throws {TypeError} when an option has the wrong type, or options (or `tls`) are not a plain
 * object: an array, a `Map`.
 * @throws {RangeError} when an option is out of range.
 * @example
 * ```ts
 * import { createPool } from '@x/pool';
 *
 * const pool = createPool({ connectionsPerHost: 10, queueTimeoutMs: 5_000 });
 * const { statusCode, body } = await pool.request('http://localhost:11434/api/tags');
 * console.log(statusCode, await body.json());
 * await pool.close();
 * ```
 */
export function createPool(options?: PoolOptions): Pool {
  const resolved = resolveOptions(options);
  const topics = createPoolTopics();
  const dispatcher = new PoolDispatcher(resolved, topics);
  logPoolEvents(resolved.log, topics);

  const stats = (): PoolStats => {
    const origins: Record<string, OriginStats> = {};
    const totals = { connected: 0, free: 0, pending: 0, running: 0, queued: 0, sockets: 0 };
    const entry = (origin: OriginState): OriginStats => {
      let s = origins[origin.key];
      if (s === undefined) {
        s = {
          connected: 0,
          free: 0,
          pending: origin.queued,
          running: 0,
          queued: origin.queued,
          sockets: 0,
          socketsCreated: origin.socketsCreated,
          requestsServed: origin.requestsServed,
        };
        origins[origin.key] = s;
      }
      return s;
    };
    for (const origin of dispatcher.origins) entry(origin);
    // Every socket still open, those being closed (by close(), an eviction) included: stats say
    // what is open until it really is closed.
    for (const slot of dispatcher.slots) {
      const s = entry(slot.origin);
      const c = slot.client.stats;
      // open or opening; once being closed, only while its socket is still connected
      if (!slot.retired || c.connected) s.sockets++;
      if (c.connected) {
        s.connected++;
        if (c.size === 0 && !slot.retired) s.free++;
      }
      s.pending += c.pending;
      s.running += c.running;
    }
    for (const s of Object.values(origins)) {
      totals.connected += s.connected;
      totals.free += s.free;
      totals.pending += s.pending;
      totals.running += s.running;
      totals.queued += s.queued;
      totals.sockets += s.sockets;
    }
    const { socketsCreated, requestsServed, queueTimeouts, evictions } = dispatcher.counters;
    return {
      origins,
      totals,
      limits: {
        connectionsPerHost: resolved.connectionsPerHost,
        maxConnections: resolved.maxConnections,
      },
      socketsCreated,
      requestsServed,
      reuseRatio: requestsServed === 0 ? 0 : Math.max(0, 1 - socketsCreated / requestsServed),
      queueTimeouts,
      evictions,
      dns: { ...dispatcher.dns.counters, entries: dispatcher.dns.size },
      closed: dispatcher.closed,
    };
  };

  const ended = logEnd(resolved.log, stats);
  const parse = createTargetParser();
  const request = (url: string | URL, given?: PoolRequestOptions): Promise<PoolResponseData> => {
    // Left out (`undefined`) is a GET; `null` is refused as elsewhere where `undefined` is the
    // default, and an array, which would read as no options at all, as any non-object.
    if (
      given !== undefined &&
      (typeof given !== 'object' || given === null || Array.isArray(given))
    ) {
      return Promise.reject(
        new TypeError(expected('options', "an object of undici's request options", given)),
      );
    }
    if (given !== undefined) {
      try {
        expectRequestKeys(given);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Node's global FormData, which undici's `request` fails on (`internal/web-inputs.ts`).
    const requestOptions = (
      given !== undefined && isForeignFormData(given.body)
        ? { ...given, body: ownBody(given.body) }
        : given
    ) as UndiciRequestOptions | undefined;
    if (requestOptions !== undefined && (requestOptions as { path?: unknown }).path != null) {
      // undici's own `path` handling; rare, so it takes the general route. undici's errors quote
      // a URL they refuse whole, password included (thrown at once for a URL that does not parse).
      try {
        if (url instanceof URL) expectUnambiguousUserinfo(url);
        else if (typeof url === 'string' && url.includes('@') && URL.canParse(url)) {
          expectUnambiguousUserinfo(new URL(url));
        }
        const sent = undiciRequest(url, {
          ...requestOptions,
          dispatcher,
          signal: relayed(requestOptions.signal),
        });
        return withoutUserinfo(sent as Promise<PoolResponseData>, url);
      } catch (error) {
        return Promise.reject(scrubUserinfo(error, url));
      }
    }
    let target: ReturnType<typeof parse>;
    try {
      target = parse(url);
    } catch (error) {
      return Promise.reject(error);
    }
    if (requestOptions === undefined) {
      return dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: 'GET',
      }) as Promise<PoolResponseData>;
    }
    // What undici's request(url, opts) hands to its dispatcher: the caller's options with origin,
    // path and method from the URL. The three keys come first and the caller's options are spread
    // after them (then the three are set again, so an `origin` in the options cannot win): an
    // object built as `{ ...opts, origin, path, method }` takes V8's slow path, both when it is
    // copied and when undici's RequestHandler and Request read its fields, about 4 µs per request.
    const dispatchOptions = {
      origin: target.origin,
      path: target.path,
      method: 'GET',
      ...requestOptions,
    } as Dispatcher.RequestOptions;
    dispatchOptions.origin = target.origin;
    dispatchOptions.path = target.path;
    dispatchOptions.method = requestOptions.method || (requestOptions.body ? 'PUT' : 'GET');
    if (requestOptions.signal != null) dispatchOptions.signal = relayed(requestOptions.signal);
    return dispatcher.request(dispatchOptions) as Promise<PoolResponseData>;
  };

  const fetchThrough = (
    input: UndiciFetchInput,
    init: UndiciFetchInit | undefined,
    signal: AbortSignal | undefined,
  ): Promise<PoolFetchResponse> => {
    // Each key written first and set again after the spread (so that it wins), as in `request`
    // above: `{ ...init, dispatcher }` takes V8's slow path, built and read.
    const options = { dispatcher: dispatcher as Dispatcher, ...init };
    // undici's fetch follows a stand-in (`fetch-signal.ts`); the dispatcher, the caller's own. A
    // `signal` that is none is left for undici's fetch to refuse in its own words.
    if (signal != null && isAbortSignal(signal)) options.signal = standInSignal(signal);
    // Every hop goes through the redirect guard (`redirect-guard.ts`); with a signal, each hop's
    // dispatch carries it, so a fetch aborted while queued leaves the queue at once.
    options.dispatcher = redirectGuard(
      signal == null
        ? (opts, handler) => dispatcher.dispatch(opts, handler)
        : (opts, handler) => {
            const signalled = { signal, ...opts };
            signalled.signal = signal;
            return dispatcher.dispatch(signalled, handler);
          },
    );
    return undiciFetch(input, options);
  };

  return {
    dispatcher,
    request,
    // undici's fetch quotes a URL it refuses (one with credentials, a bad port, a redirect's
    // Location) whole, password included: its errors are scrubbed, whatever the input.
    fetch: (input, init) => {
      // undici's fetch does not hand its signal to the dispatcher; pass it along so a fetch
      // aborted while queued leaves the queue at once, as pool.request does.
      const signal =
        init?.signal ??
        (typeof input === 'object' && input !== null && 'signal' in input
          ? (input.signal as AbortSignal)
          : undefined) ??
        undefined;
      let sent: Promise<PoolFetchResponse>;
      try {
        // Node's global Request and FormData, which undici's `fetch` misreads (`web-inputs.ts`).
        const body = init?.body;
        const own = (isForeignFormData(body) ? { ...init, body: ownBody(body) } : init) as
          | UndiciFetchInit
          | undefined;
        sent = fetchThrough(ownInput(input) as UndiciFetchInput, own, signal);
      } catch (error) {
        // A global Request whose body was already read, or a FormData entry undici refuses.
        sent = Promise.reject(error);
      }
      return fetchWithoutUserinfo(sent, input, signal);
    },
    stats,
    onConnect: (listener) => topics.connect.on(expectFunction('listener', listener)),
    onDisconnect: (listener) => topics.disconnect.on(expectFunction('listener', listener)),
    onQueueTimeout: (listener) => topics['queue-timeout'].on(expectFunction('listener', listener)),
    onDnsLookup: (listener) => topics.dns.on(expectFunction('listener', listener)),
    close: () => ended('close', dispatcher.close()),
    [Symbol.asyncDispose]: () => ended('close', dispatcher.close()),
    destroy: (error) => ended('destroy', dispatcher.destroy(error ?? null)),
    get closed() {
      return dispatcher.closed;
    },
  };
}
