import { Readable } from 'node:stream';
import type { Pool } from '@x/pool';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';

/** A request body as a call holds it: its JSON text, or the bytes of an upload. */
export type RequestBody = string | Uint8Array | AsyncIterable<Uint8Array>;

/**
 * A request body as a transport gets it: the JSON text of a call (a string), or the bytes of an
 * upload. A `Uint8Array` of at most 64 KiB is handed over whole; a larger one, and any body the
 * caller gave as an async iterable, arrive as a Node `Readable` of `Uint8Array` chunks (an async
 * iterable too, which undici's `request` and `fetch` both take), to be read as the socket drains
 * and never buffered whole, with `content-length` in the headers when the length is known (else it
 * goes chunked).
 */
export type TransportBody = string | Uint8Array | Readable;

/** True for a body that is sent piece by piece as the socket drains (see `http/upload.ts`). */
export function isUpload(
  body: RequestBody | undefined,
): body is Uint8Array | AsyncIterable<Uint8Array> {
  return (
    body !== undefined &&
    typeof body !== 'string' &&
    !(body instanceof Uint8Array && body.byteLength <= PIECE_BYTES)
  );
}

/**
 * What a provider needs from an HTTP client: undici's `request` semantics. The provider writes
 * these options and hands them to the transport, so an optional field is left out when it has
 * no value, never set to `undefined`: they can be passed on as they are to `@x/pool`'s `request`
 * or undici's, whose `body` and `signal` take `null` but not `undefined` under
 * `exactOptionalPropertyTypes`.
 */
export interface TransportRequestOptions {
  method: 'GET' | 'POST' | 'HEAD' | 'DELETE';
  headers: Record<string, string>;
  // check-optional-types: output
  /**
   * See {@link TransportBody}: a string, a `Uint8Array`, or a `Readable` of `Uint8Array`; absent
   * when the request has none.
   */
  body?: TransportBody;
  // check-optional-types: output
  /** Aborts the request; absent when nothing can abort it. */
  signal?: AbortSignal;
  /** 0 disables undici's own headers timeout: the provider runs its own deadlines. */
  headersTimeout: number;
  /** 0 disables undici's own body timeout. */
  bodyTimeout: number;
}

/**
 * What a {@link Transport} resolves to once the answer's headers arrived: its status, headers and
 * body (undici `request`'s shape); `destroy` lets the provider drop a body it stops reading.
 */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & {
    destroy?(error?: Error): unknown;
  };
}

/** An HTTP client with undici `request` semantics (for tests and custom transports). */
export type Transport = (
  url: string,
  options: TransportRequestOptions,
) => Promise<TransportResponse>;

/** One request of an attempt, before it is handed to the transport. */
export interface OutgoingRequest {
  url: string;
  method: TransportRequestOptions['method'];
  headers: Record<string, string>;
  body: TransportBody | undefined;
  signal: AbortSignal | undefined;
}

/**
 * The one place that turns an outgoing request into the transport's options. Undici's own headers
 * and body timeouts are off: the provider's first-token and idle deadlines replace them (undici's
 * 300 s headers timeout is what cuts long generations in other clients). A body or signal that
 * is `undefined` is left out, as {@link TransportRequestOptions} says.
 */
export function send(transport: Transport, request: OutgoingRequest): Promise<TransportResponse> {
  const options: TransportRequestOptions = {
    method: request.method,
    headers: request.headers,
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  if (request.body !== undefined) options.body = request.body;
  if (request.signal !== undefined) options.signal = request.signal;
  return transport(request.url, options);
}

/** What undici's `dispatch` takes besides the handler, for one request of a built-in transport. */
export interface DispatchRequest {
  method: TransportRequestOptions['method'];
  headers: Record<string, string>;
  body: TransportBody | undefined;
  /**
   * The attempt's signal: undici's core ignores it, but the pool drops a request waiting in its
   * queue when it aborts.
   */
  signal: AbortSignal | undefined;
}

/**
 * Sends a request straight to undici's `dispatch` with a handler (undici 7's handler interface):
 * no response stream, no request promise. The built-in transports have one.
 */
export type DirectDispatch = (
  path: string,
  request: DispatchRequest,
  handler: Dispatcher.DispatchHandler,
) => void;

/**
 * The built-in transports (the pool's dispatcher, the Agent), with their direct dispatch. Undici's
 * `request` takes any signal with `aborted`, `reason` and `addEventListener`, so an attempt hands
 * them a light one instead of an `AbortController`'s (see `attempt-signal.ts`). A custom
 * transport gets a real `AbortSignal`, and is called as a function.
 */
const builtIn = new WeakMap<Transport, DirectDispatch>();

/** True for a built-in transport, which accepts an abort signal that is not an `AbortSignal`. */
export function takesAnySignal(transport: Transport): boolean {
  return builtIn.has(transport);
}

/** The direct dispatch of a built-in transport; undefined for a custom one. */
export function directDispatch(transport: Transport): DirectDispatch | undefined {
  return builtIn.get(transport);
}

/** The path of `target` on `origin` (every URL a provider builds is on its own origin). */
function pathOn(origin: string, target: string): string {
  if (target.startsWith(origin)) return target.slice(origin.length) || '/';
  const url = new URL(target);
  return url.pathname + url.search;
}

/** A transport and what must be closed with the provider. */
export interface ResolvedTransport {
  transport: Transport;
  /** The undici Agent created when the pool is off. */
  agent: Agent | undefined;
}

/**
 * The transport of a provider: a custom one, the pool's dispatcher (its caps, keep-alive and DNS
 * cache; every URL is this origin, so the per-call URL parsing of `pool.request()` is skipped), or
 * a plain keep-alive undici Agent when the pool is off.
 */
export function resolveTransport(init: {
  transport: Transport | undefined;
  pool: Pool | undefined;
  origin: string;
  connectTimeoutMs: number;
}): ResolvedTransport {
  if (init.transport !== undefined) return { transport: init.transport, agent: undefined };
  const { pool, origin } = init;
  if (pool !== undefined) {
    const dispatcher = pool.dispatcher;
    // The request options written out, not spread: an object built as `{ ...options, origin,
    // path }` takes V8's slow path, both when it is copied and when undici reads its fields.
    const transport: Transport = (target, options) => {
      const large = piecewise(options);
      return dispatcher.request({
        origin,
        path: pathOn(origin, target),
        method: options.method,
        headers: large?.headers ?? options.headers,
        body: large?.body ?? options.body,
        signal: options.signal,
        headersTimeout: options.headersTimeout,
        bodyTimeout: options.bodyTimeout,
      }) as unknown as Promise<TransportResponse>;
    };
    builtIn.set(transport, directTo(dispatcher, origin));
    return { agent: undefined, transport };
  }
  const agent = new Agent({
    connections: 20,
    keepAliveTimeout: 300_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: init.connectTimeoutMs || undefined },
  });
  const transport: Transport = (target, options) => {
    const large = piecewise(options);
    return undiciRequest(target, {
      method: options.method,
      headers: large?.headers ?? options.headers,
      body: large?.body ?? options.body,
      signal: options.signal,
      headersTimeout: options.headersTimeout,
      bodyTimeout: options.bodyTimeout,
      dispatcher: agent,
    }) as unknown as Promise<TransportResponse>;
  };
  builtIn.set(transport, directTo(agent, origin));
  return { agent, transport };
}

/**
 * Over this many characters a request body goes to undici in pieces, not as one string. undici
 * counts a string as sent once it is queued on the socket: a server that answers before it has
 * read a large body, and never reads the rest, would leave the socket to the pool with megabytes
 * unsent, and the next call on it would wait behind them until its deadline. Pieces are written
 * as the socket drains, and undici closes a socket whose answer came before its request was out.
 * Prompts this long are rare; the common body keeps the cheaper string path.
 */
const PIECEWISE_BODY_CHARS = 64 * 1024;
export const PIECE_BYTES = 64 * 1024;

export function* piecesOf(bytes: Uint8Array): Generator<Uint8Array, void, undefined> {
  for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
}

/**
 * A body over {@link PIECEWISE_BODY_CHARS} as undici is handed it, with its headers; `undefined`
 * for any other, which goes as the string it is (no object made on the common path).
 */
function piecewise(request: {
  body?: TransportBody | undefined;
  headers: Record<string, string>;
}): { body: Readable; headers: Record<string, string> } | undefined {
  const { body } = request;
  // Bytes and iterables arrive already in pieces when they are large (`http/upload.ts`).
  if (typeof body !== 'string' || body.length <= PIECEWISE_BODY_CHARS) return undefined;
  const bytes = Buffer.from(body, 'utf8');
  // its length said, so that the pieces are not sent chunked
  return {
    body: Readable.from(piecesOf(bytes), { objectMode: false }),
    headers: { ...request.headers, 'content-length': String(bytes.length) },
  };
}

/** The direct dispatch through `dispatcher`, undici's own timeouts off as for `request`. */
function directTo(dispatcher: Dispatcher, origin: string): DirectDispatch {
  return (path, request, handler) => {
    const large = piecewise(request);
    const options: Dispatcher.DispatchOptions & { signal: AbortSignal | undefined } = {
      origin,
      path,
      method: request.method,
      headers: large?.headers ?? request.headers,
      body: large?.body ?? request.body,
      signal: request.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    dispatcher.dispatch(options, handler);
  };
}

/** The first value of a response header. */
export function header(headers: TransportResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A listener that does nothing: keeps an expected `error` event from going uncaught. */
export function ignore(): void {}

/** Destroys a body without letting undici's abort error go uncaught. */
export function destroyQuietly(body: TransportResponse['body']): void {
  try {
    (body as { on?: ((event: string, fn: () => void) => void) | undefined }).on?.('error', ignore);
    body.destroy?.();
  } catch {
    // Already destroyed.
  }
}

/**
 * Reads at most `limit` bytes of a body as text; the rest is discarded and the body destroyed.
 * `parts` collects what arrived, for a caller that wants it when the read fails.
 */
export async function readCapped(
  response: TransportResponse,
  limit: number,
  parts: Buffer[] = [],
): Promise<string> {
  let size = 0;
  for await (const chunk of response.body) {
    const buf = Buffer.from(chunk);
    if (size + buf.length > limit) {
      parts.push(buf.subarray(0, limit - size));
      destroyQuietly(response.body);
      break;
    }
    parts.push(buf);
    size += buf.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
