import { type ErrorOrigin, ProviderError } from './errors';
import { cutServerText } from './server-text';

/** The kinds a {@link ProviderApiError} can have: its subclasses for a missing model and a busy server. */
export type ApiErrorKind = 'api' | 'model-not-found' | 'server-busy';

/** What a server's error answer said. */
export interface ApiErrorInit {
  statusCode: number;
  /** The server's error text (secrets scrubbed), cut to 500 characters (`SERVER_TEXT_MAX`). */
  serverMessage: string;
  /** The endpoint path, such as `/api/chat`. */
  endpoint: string;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  message?: string | undefined;
  cause?: unknown;
}

/** The server answered with an HTTP error status (or a redirect, which is not followed). */
export class ProviderApiError extends ProviderError {
  declare readonly kind: ApiErrorKind;
  /** HTTP status code. */
  readonly statusCode: number;
  /** The error text of the body (secrets scrubbed), cut to 500 characters (`SERVER_TEXT_MAX`). */
  readonly serverMessage: string;
  /** The endpoint path. */
  readonly endpoint: string;

  constructor(
    init: ApiErrorInit & {
      origin: ErrorOrigin;
      kind?: ApiErrorKind | undefined;
      reason?: string | undefined;
    },
  ) {
    super(
      init.message ??
        `${init.origin.label} ${init.endpoint} answered ${init.statusCode}: ${cutServerText(init.serverMessage) || '(empty body)'}`,
      {
        origin: init.origin,
        kind: init.kind ?? 'api',
        reason: init.reason ?? 'API',
        retryable: init.retryable,
        retryAfterMs: init.retryAfterMs,
        cause: init.cause,
      },
    );
    this.name = 'ProviderApiError';
    this.statusCode = init.statusCode;
    this.serverMessage = cutServerText(init.serverMessage);
    this.endpoint = init.endpoint;
  }
}
