import { type ErrorOrigin, ProviderError } from './errors';
import { dnsFailure } from './http/dns-failures';
import { tlsFailure } from './http/tls-failures';

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
    },
  ) {
    const tls = tlsFailure(init.causeCode);
    const why = tls ?? dnsFailure(init.causeCode, init.cause, init.origin);
    super(
      `Could not reach ${init.from.label} at ${init.origin}${init.causeCode ? ` (${init.causeCode})` : ''}${why === undefined ? '' : `: ${why}`}`,
      {
        origin: init.from,
        kind: 'connection',
        reason: 'CONNECTION',
        retryable: tls === undefined,
        cause: init.cause,
      },
    );
    this.name = 'ProviderConnectionError';
    this.causeCode = init.causeCode;
    this.origin = init.origin;
  }
}
