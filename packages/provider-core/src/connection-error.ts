import { type ErrorOrigin, ProviderError } from './errors';
import { dnsFailure } from './http/dns-failures';
import { tlsFailure } from './http/tls-failures';

/** What a provider says, after the failure, of how to fix its address (see the init's fields). */
export interface ConnectionAdvice {
  /**
   * The address the message shows: the base URL with its path (`http://127.0.0.1:8000/v1`), never
   * with credentials. `origin` when unset.
   */
  url?: string | undefined;
  /**
   * The fix when nothing answered at the address (refused, unreachable, timed out): a sentence
   * such as ``Is Ollama running? Start it with `ollama serve`…``. Nothing when unset.
   */
  remedy?: string | undefined;
  /** The setting that holds the address, for the wrong-port hint: `` `baseUrl` `` when unset. */
  setting?: string | undefined;
  /** What was tried, said after the failure and before the remedy (`initialize()`'s wait). */
  detail?: string | undefined;
}

/**
 * Codes of a connection nothing answered: the address is wrong or the server is down, which the
 * provider's remedy addresses. A name that does not resolve says its own fix (`dnsFailure`).
 */
const NOTHING_ANSWERED = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);

/**
 * Codes of a connection that was made, then closed before any HTTP answer: something listens
 * there, so "could not reach" would send the user after a server that is up. Often another
 * service on that port (Redis answers `-ERR` and hangs up), which the message hints at.
 */
const CLOSED_UNANSWERED = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/**
 * The connection failed or broke before an answer arrived (refused, reset, DNS). Retryable, but
 * for a TLS failure another attempt would meet again (no TLS at the address, a certificate
 * refused), whose message says which. What came back but is not HTTP is a
 * `ProviderProtocolError` (`protocol-error.ts`) instead.
 */
export class ProviderConnectionError extends ProviderError {
  declare readonly kind: 'connection';
  /** The system or undici error code, such as `ECONNREFUSED`. */
  readonly causeCode: string | undefined;
  /** The origin that was called (never with credentials). */
  readonly origin: string;

  constructor(
    init: { origin: string; causeCode?: string | undefined; cause?: unknown } & {
      from: ErrorOrigin;
    } & ConnectionAdvice,
  ) {
    super(connectionMessage(init), {
      origin: init.from,
      kind: 'connection',
      reason: 'CONNECTION',
      retryable: tlsFailure(init.causeCode) === undefined,
      cause: init.cause,
    });
    this.name = 'ProviderConnectionError';
    this.causeCode = init.causeCode;
    this.origin = init.origin;
  }
}

/** What failed, what was tried, then how to fix it, so that the fix ends the message. */
function connectionMessage(
  init: { origin: string; causeCode?: string | undefined; cause?: unknown } & {
    from: ErrorOrigin;
  } & ConnectionAdvice,
): string {
  const code = init.causeCode;
  const url = init.url ?? init.origin;
  const coded = code ? ` (${code})` : '';
  const detail = init.detail === undefined ? '' : `: ${init.detail}`;
  if (code !== undefined && CLOSED_UNANSWERED.has(code)) {
    return `The server at ${url} closed the connection without an HTTP answer${coded}${detail}. If this repeats, another service may be listening on that port (not an HTTP server): check ${init.setting ?? '`baseUrl`'}`;
  }
  const why = tlsFailure(code) ?? dnsFailure(code, init.cause, init.origin);
  const fix =
    why === undefined && code !== undefined && NOTHING_ANSWERED.has(code) && init.remedy
      ? `. ${init.remedy}`
      : '';
  return `Could not reach ${init.from.label} at ${url}${coded}${why === undefined ? '' : `: ${why}`}${detail}${fix}`;
}
