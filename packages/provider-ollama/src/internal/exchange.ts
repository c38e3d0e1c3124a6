import { IncompleteStreamError, OllamaTimeoutError, type TimeoutKind } from '../errors';
import type { ResolvedTimeouts } from '../options';
import { mapHttpError, mapTransportError } from './http-errors';

/** What the provider needs from an HTTP client: undici's `request` semantics. */
export interface TransportRequestOptions {
  method: 'GET' | 'POST' | 'HEAD';
  headers: Record<string, string>;
  body?: string | undefined;
  /** Aborts the request; absent when nothing can abort it. */
  signal?: AbortSignal | undefined;
  /** 0 disables undici's own headers timeout: the provider runs its own deadlines. */
  headersTimeout: number;
  /** 0 disables undici's own body timeout. */
  bodyTimeout: number;
}

export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & {
    destroy?(error?: Error): unknown;
  };
}

export type Transport = (
  url: string,
  options: TransportRequestOptions,
) => Promise<TransportResponse>;

export interface ExchangeInit {
  transport: Transport;
  url: string;
  origin: string;
  endpoint: string;
  method: 'GET' | 'POST' | 'HEAD';
  headers: Record<string, string>;
  body: string | undefined;
  /** The model, to name it in a not-found error. */
  model: string | undefined;
  /** True when the response is a stream: the first-token deadline applies. */
  stream: boolean;
  timeouts: ResolvedTimeouts;
  /** Signals that abort the attempt with their reason (caller, total deadline, breaker). */
  signals: ReadonlyArray<AbortSignal | undefined>;
  redact: (text: string) => string;
  /** Upper bound of an error body that is read. */
  maxErrorBodyBytes?: number;
}

/** Called when the response headers arrived. */
export type OnHeaders = (statusCode: number) => void;

/**
 * One deadline at a time on one global, unref'd timer. `touch()` only moves the deadline; the
 * timer re-arms itself for the rest when it fires early, so a fast stream costs no timer churn.
 */
class Watchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline = 0;
  #kind: TimeoutKind = 'idle';
  #ms = 0;
  readonly #onFire: (kind: TimeoutKind, ms: number) => void;

  constructor(onFire: (kind: TimeoutKind, ms: number) => void) {
    this.#onFire = onFire;
  }

  arm(kind: TimeoutKind, ms: number): void {
    this.#kind = kind;
    this.#ms = ms;
    this.#deadline = performance.now() + ms;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#schedule(ms);
  }

  touch(): void {
    this.#deadline = performance.now() + this.#ms;
  }

  /** While paused (the consumer holds a chunk), silence is not the server's: the timer waits. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#deadline = performance.now() + this.#ms;
  }

  #paused = false;

  stop(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(ms: number): void {
    const timer = setTimeout(this.#fire, Math.max(0, Math.ceil(ms)));
    timer.unref?.();
    this.#timer = timer;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const left = this.#deadline - performance.now();
    if (this.#paused) this.#schedule(this.#ms);
    else if (left >= 1) this.#schedule(left);
    else this.#onFire(this.#kind, this.#ms);
  };
}

function ignore(): void {}

/** Destroys a body without letting undici's abort error go uncaught. */
function destroyQuietly(body: TransportResponse['body']): void {
  (body as { on?: (event: string, fn: () => void) => void }).on?.('error', ignore);
  body.destroy?.();
}

const EMPTY_PARTIAL = Object.freeze({ content: '', thinking: '', toolCalls: [], chunks: 0 });

/**
 * One HTTP attempt: sends the request, maps an error status to a typed error, then yields the
 * body's chunks under the first-token and idle deadlines. Leaving the loop early (or an abort)
 * destroys the body, which closes the socket, so the server stops generating.
 *
 * Errors: the reason of an aborted signal as is; {@link OllamaTimeoutError} (retryable before the
 * first byte); typed HTTP errors; {@link OllamaConnectionError} before the response; an
 * {@link IncompleteStreamError} when the body broke after it started.
 */
export async function* exchange(
  init: ExchangeInit,
  onHeaders?: OnHeaders,
): AsyncGenerator<Uint8Array, void, undefined> {
  const controller = new AbortController();
  let timeoutError: OllamaTimeoutError | undefined;
  let gotBytes = false;
  const { timeouts } = init;

  const watchdog =
    timeouts.firstTokenMs !== undefined || timeouts.idleMs !== undefined
      ? new Watchdog((kind, ms) => {
          timeoutError = new OllamaTimeoutError({
            timeout: kind,
            timeoutMs: ms,
            retryable: !gotBytes,
          });
          controller.abort(timeoutError);
        })
      : undefined;

  const linked: Array<[AbortSignal, () => void]> = [];
  for (const signal of init.signals) {
    if (signal === undefined) continue;
    if (signal.aborted) throw signal.reason;
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    linked.push([signal, onAbort]);
  }
  const abortedReason = (): unknown => {
    if (timeoutError !== undefined) return timeoutError;
    for (const [signal] of linked) if (signal.aborted) return signal.reason;
    return undefined;
  };

  let response: TransportResponse | undefined;
  let finished = false;
  try {
    if (init.stream && timeouts.firstTokenMs !== undefined) {
      watchdog?.arm('firstToken', timeouts.firstTokenMs);
    }
    try {
      response = await init.transport(init.url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: controller.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      throw abortedReason() ?? mapTransportError(error, init.origin, timeouts.connectMs);
    }
    onHeaders?.(response.statusCode);

    // undici follows no redirect: a 3xx (a proxy sending http to https) is an error that says
    // where to go, not a body to parse.
    if (response.statusCode >= 300) {
      const text = await readText(response, init.maxErrorBodyBytes ?? 65_536).catch((error) => {
        throw abortedReason() ?? mapTransportError(error, init.origin, timeouts.connectMs);
      });
      const contentType = header(response.headers, 'content-type');
      throw mapHttpError({
        statusCode: response.statusCode,
        contentType,
        body: text,
        endpoint: init.endpoint,
        model: init.model,
        retryAfter: response.headers['retry-after'],
        location: header(response.headers, 'location'),
        redact: init.redact,
      });
    }

    // A non-streamed answer arrives whole: only the idle deadline guards its body.
    if (!init.stream && timeouts.idleMs !== undefined) watchdog?.arm('idle', timeouts.idleMs);
    let first = true;
    try {
      for await (const chunk of response.body) {
        gotBytes = true;
        if (first) {
          first = false;
          if (init.stream) {
            if (timeouts.idleMs !== undefined) watchdog?.arm('idle', timeouts.idleMs);
            else watchdog?.stop();
          }
        } else {
          watchdog?.touch();
        }
        // The consumer may take its time with a chunk: that is not the server's silence.
        watchdog?.pause();
        yield chunk;
        watchdog?.resume();
      }
    } catch (error) {
      const reason = abortedReason();
      if (reason !== undefined) throw reason;
      throw new IncompleteStreamError({ partial: EMPTY_PARTIAL, cause: error });
    }
    finished = true;
  } finally {
    watchdog?.stop();
    for (const [signal, onAbort] of linked) signal.removeEventListener('abort', onAbort);
    if (!finished) {
      // Consumer left early or an error: make sure the request and its socket are released.
      if (!controller.signal.aborted) controller.abort(abortedReason());
      try {
        if (response !== undefined) destroyQuietly(response.body);
      } catch {
        // Already destroyed.
      }
    }
  }
}

function header(headers: TransportResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readText(response: TransportResponse, limit: number): Promise<string> {
  const parts: Buffer[] = [];
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

/** Thrown by {@link exchangeBuffered} when the body exceeds its cap. */
export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`The response body exceeded ${limit} bytes`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/**
 * One HTTP attempt whose body is read whole (non-streamed answers, metadata). The same deadlines
 * and error mapping as {@link exchange}, without generator hops: the fast path of `complete()`.
 */
export async function exchangeBuffered(init: ExchangeInit, maxBytes: number): Promise<Buffer> {
  const { timeouts } = init;
  let timeoutError: OllamaTimeoutError | undefined;
  let gotBytes = false;
  let body: (NodeJS.ReadableStream & { destroy(error?: Error): void }) | undefined;
  // An AbortController costs more than the rest of the call: with one signal (the caller's, the
  // total deadline's), hand it to the transport as is; combine only when there are several. The
  // idle deadline destroys the body instead of aborting a signal.
  let transportSignal: AbortSignal | undefined;
  let controller: AbortController | undefined;
  let linked: Array<[AbortSignal, () => void]> | undefined;
  for (const signal of init.signals) {
    if (signal === undefined) continue;
    if (signal.aborted) throw signal.reason;
    if (transportSignal === undefined) {
      transportSignal = signal;
      continue;
    }
    if (controller === undefined) {
      controller = new AbortController();
      const c = controller;
      const first = transportSignal;
      const onFirst = () => c.abort(first.reason);
      first.addEventListener('abort', onFirst, { once: true });
      linked = [[first, onFirst]];
      transportSignal = controller.signal;
    }
    const c = controller;
    const onAbort = () => c.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    linked!.push([signal, onAbort]);
  }
  const watchdog =
    timeouts.idleMs !== undefined
      ? new Watchdog((kind, ms) => {
          timeoutError = new OllamaTimeoutError({
            timeout: kind,
            timeoutMs: ms,
            retryable: !gotBytes,
          });
          controller?.abort(timeoutError);
          if (body !== undefined) {
            body.on('error', ignore);
            body.destroy(timeoutError);
          }
        })
      : undefined;
  const abortedReason = (): unknown => {
    if (timeoutError !== undefined) return timeoutError;
    for (const signal of init.signals) if (signal?.aborted) return signal.reason;
    return undefined;
  };
  let response: TransportResponse | undefined;
  try {
    try {
      response = await init.transport(init.url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: transportSignal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      throw abortedReason() ?? mapTransportError(error, init.origin, timeouts.connectMs);
    }
    // undici follows no redirect: a 3xx (a proxy sending http to https) is an error that says
    // where to go, not a body to parse.
    if (response.statusCode >= 300) {
      const text = await readText(response, init.maxErrorBodyBytes ?? 65_536).catch((error) => {
        throw abortedReason() ?? mapTransportError(error, init.origin, timeouts.connectMs);
      });
      throw mapHttpError({
        statusCode: response.statusCode,
        contentType: header(response.headers, 'content-type'),
        body: text,
        endpoint: init.endpoint,
        model: init.model,
        retryAfter: response.headers['retry-after'],
        location: header(response.headers, 'location'),
        redact: init.redact,
      });
    }
    const stream = response.body as unknown as NodeJS.ReadableStream & {
      destroy(error?: Error): void;
    };
    body = stream;
    if (timeouts.idleMs !== undefined) watchdog?.arm('idle', timeouts.idleMs);
    return await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        stream.removeListener('data', onData);
        stream.removeListener('end', onEnd);
        stream.removeListener('error', onError);
      };
      const onData = (chunk: Buffer) => {
        gotBytes = true;
        watchdog?.touch();
        size += chunk.length;
        if (size > maxBytes) {
          cleanup();
          // Destroying undici's body makes it emit an abort error: keep it from going uncaught.
          stream.on('error', ignore);
          stream.destroy();
          reject(new BodyTooLargeError(maxBytes));
          return;
        }
        parts.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
      };
      const onError = (error: unknown) => {
        cleanup();
        stream.on('error', ignore);
        reject(
          abortedReason() ?? new IncompleteStreamError({ partial: EMPTY_PARTIAL, cause: error }),
        );
      };
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', onError);
    });
  } finally {
    watchdog?.stop();
    if (linked !== undefined) {
      for (const [signal, onAbort] of linked) signal.removeEventListener('abort', onAbort);
    }
  }
}
