import {
  ContextOverflowError,
  type ContextOverflowInit,
  type ErrorKit,
  type ErrorOrigin,
  IncompleteStreamError,
  ProviderConnectionError,
  ProviderStreamError,
  ProviderTimeoutError,
  type StreamErrorInit,
  type TimeoutErrorInit,
} from './errors';
import { type ProtocolErrorInit, ProviderProtocolError } from './protocol-error';
import {
  CircuitOpenError,
  CredentialsError,
  LocalLimitError,
  ProviderClosedError,
} from './refusals';
import type { PartialResponse } from './types';

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
    closed: (init?: { destroyed?: boolean | undefined }) =>
      new ProviderClosedError({ ...init, origin }),
    circuitOpen: (init: { retryAfterMs: number | undefined; cause: unknown }) =>
      new CircuitOpenError({ ...init, origin }),
    localLimit: (init: { message: string; retryAfterMs: number | undefined; cause: unknown }) =>
      new LocalLimitError({ ...init, origin }),
    credentials: (init: { message: string; cause: unknown }) =>
      new CredentialsError({ ...init, origin }),
  });
}
