import { type ErrorOrigin, ProviderError } from './errors';
import { cutServerText } from './server-text';
import type { PartialResponse } from './types';

/** Why a stream failed after it started. */
export type StreamFailure = 'server-error' | 'line-too-long' | 'invalid-json' | 'too-large';

/** What a {@link ProviderStreamError} is made of: why the stream failed, and what had arrived. */
export interface StreamErrorInit {
  reason: StreamFailure;
  serverMessage?: string | undefined;
  partial: PartialResponse;
  message?: string | undefined;
  cause?: unknown;
}

/**
 * The stream failed after it started: an error message from the server (`'server-error'`), a line
 * over the size cap (`'line-too-long'`), an answer over the size cap (`'too-large'`) or something
 * that is not JSON (`'invalid-json'`). Carries what arrived before. Never retried.
 */
export class ProviderStreamError extends ProviderError {
  declare readonly kind: 'stream';
  readonly reason: StreamFailure;
  /** The server's error text (for `'server-error'`), cut to 500 characters (`SERVER_TEXT_MAX`). */
  readonly serverMessage: string;
  /** What had arrived before the failure. */
  readonly partial: PartialResponse;

  constructor(init: StreamErrorInit & { origin: ErrorOrigin }) {
    super(
      init.message ??
        `${init.origin.label} stream failed: ${cutServerText(init.serverMessage ?? init.reason)}`,
      {
        origin: init.origin,
        kind: 'stream',
        reason: 'STREAM',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'ProviderStreamError';
    this.reason = init.reason;
    this.serverMessage = cutServerText(init.serverMessage ?? '');
    this.partial = init.partial;
  }
}

/** Codes of a connection the server (or something between) closed or reset: undici's, Node's. */
const CLOSED = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE']);

/**
 * How a body the transport broke ended, said after the provider's own wording: with a `cause`
 * the exchange failed mid-body (a body that ended cleanly has none), so the reader learns that the
 * connection went, not the server's answer, and why no retry followed. `''` without a cause.
 */
function brokenBody(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const code: unknown = Reflect.get(cause, 'code');
  const shown = typeof code === 'string' ? code : cause.name;
  const how =
    typeof code === 'string' && CLOSED.has(code)
      ? 'the connection was closed before the end'
      : 'the body failed before the end';
  // The answer had begun (chunks may have reached the caller): a retry would start it over, so
  // the call ends here and hands over what arrived.
  return `: ${how} (${shown}); not retried, as the answer had begun: what arrived is in \`error.partial\``;
}

/** The answer ended before it was complete. Carries what arrived before. Never retried. */
export class IncompleteStreamError extends ProviderError {
  declare readonly kind: 'incomplete-stream';
  /** What had arrived before the end. */
  readonly partial: PartialResponse;

  constructor(init: {
    partial: PartialResponse;
    cause?: unknown;
    message?: string | undefined;
    origin: ErrorOrigin;
  }) {
    super(
      (init.message ??
        `${init.origin.label}'s response ended before it was complete, after ${init.partial.chunks} chunk(s)`) +
        brokenBody(init.cause),
      {
        origin: init.origin,
        kind: 'incomplete-stream',
        reason: 'INCOMPLETE_STREAM',
        retryable: false,
        cause: init.cause,
      },
    );
    this.name = 'IncompleteStreamError';
    this.partial = init.partial;
  }
}
