import { ProviderConnectionError } from './connection-error';
import { ContextOverflowError, type ContextOverflowInit } from './context-overflow-error';
import type { ErrorOrigin, ProviderError } from './errors';
import { type ProtocolErrorInit, ProviderProtocolError } from './protocol-error';
import {
  CircuitOpenError,
  type ClosedInit,
  CredentialsError,
  LocalLimitError,
  ProviderClosedError,
} from './refusals';
import { IncompleteStreamError, ProviderStreamError, type StreamErrorInit } from './stream-errors';
import { ProviderTimeoutError, type TimeoutErrorInit } from './timeout-error';
import type { PartialResponse } from './types';

/**
 * How the shared stages create a provider's own error classes. A provider passes constructors of
 * its subclasses; the stages never name a provider's classes.
 */
export interface ErrorKit {
  readonly origin: ErrorOrigin;
  timeout(init: TimeoutErrorInit): ProviderTimeoutError;
  connection(init: {
    origin: string;
    causeCode?: string | undefined;
    cause?: unknown;
  }): ProviderError;
  protocol(init: ProtocolErrorInit): ProviderProtocolError;
  stream(init: StreamErrorInit): ProviderStreamError;
  incomplete(init: { partial: PartialResponse; cause?: unknown }): IncompleteStreamError;
  contextOverflow(init: ContextOverflowInit): ContextOverflowError;
  /**
   * `destroyed`: the error of the calls `destroy()` ends in flight; `piece` and `cause`: a pool or
   * limiter its user closed refused the call (see `ProviderClosedError`).
   */
  closed(init?: ClosedInit): ProviderError;
  /**
   * `lastFailure`: the provider error the breaker last counted; `sharedWith`: the `name` of the
   * other provider sharing the breaker whose call that was (see `CircuitOpenError`).
   */
  circuitOpen(init: {
    retryAfterMs: number | undefined;
    cause: unknown;
    lastFailure?: ProviderError | undefined;
    sharedWith?: string | undefined;
  }): ProviderError;
  localLimit(init: {
    message: string;
    retryAfterMs: number | undefined;
    cause: unknown;
  }): ProviderError;
  /** A key callback that failed: `cause` holds no text of the callback's (it may quote a key). */
  credentials(init: { message: string; cause: unknown }): ProviderError;
}

/**
 * An {@link ErrorKit} of the core classes for a provider that needs no classes of its own: codes
 * `X_PROVIDER_<ID>_<REASON>`, messages naming `origin.label`.
 */
export function createErrorKit(origin: ErrorOrigin): ErrorKit {
  return Object.freeze({
    origin,
    timeout: (init: TimeoutErrorInit) => new ProviderTimeoutError({ ...init, origin }),
    connection: (init: { origin: string; causeCode?: string | undefined; cause?: unknown }) =>
      new ProviderConnectionError({ ...init, from: origin }),
    protocol: (init: ProtocolErrorInit) => new ProviderProtocolError({ ...init, from: origin }),
    stream: (init: StreamErrorInit) => new ProviderStreamError({ ...init, origin }),
    incomplete: (init: { partial: PartialResponse; cause?: unknown }) =>
      new IncompleteStreamError({ ...init, origin }),
    contextOverflow: (init: ContextOverflowInit) => new ContextOverflowError({ ...init, origin }),
    closed: (init?: ClosedInit) => new ProviderClosedError({ ...init, origin }),
    circuitOpen: (init: Parameters<ErrorKit['circuitOpen']>[0]) =>
      new CircuitOpenError({ ...init, origin }),
    localLimit: (init: { message: string; retryAfterMs: number | undefined; cause: unknown }) =>
      new LocalLimitError({ ...init, origin }),
    credentials: (init: { message: string; cause: unknown }) =>
      new CredentialsError({ ...init, origin }),
  });
}
