import type {
  ClosedInit,
  ContextOverflowInit,
  ErrorKit,
  PartialResponse,
  ProtocolErrorInit,
  TimeoutErrorInit,
} from '@x/provider-core';
import { originOf } from './error-codes';
import {
  CircuitOpenError,
  ContextOverflowError,
  CredentialsError,
  IncompleteStreamError,
  LocalLimitError,
  OpenAIConnectionError,
  OpenAIProtocolError,
  OpenAIStreamError,
  type OpenAIStreamErrorInit,
  OpenAITimeoutError,
  ProviderClosedError,
} from './errors';

/**
 * The constructors the shared request path uses, naming `label` (the preset's) in messages;
 * `overflowHint` says how to fix an overflow found before sending, where there is more to say.
 */
export function openAIErrorKit(
  label: string,
  overflowHint?: ((init: ContextOverflowInit) => string | undefined) | undefined,
): ErrorKit {
  return Object.freeze({
    origin: originOf(label),
    timeout: (init: TimeoutErrorInit) => new OpenAITimeoutError({ ...init, label }),
    connection: (init: { origin: string; causeCode?: string | undefined; cause?: unknown }) =>
      new OpenAIConnectionError({ ...init, label }),
    protocol: (init: ProtocolErrorInit) => new OpenAIProtocolError({ ...init, label }),
    stream: (init: Omit<OpenAIStreamErrorInit, 'label'>) =>
      new OpenAIStreamError({ ...init, label }),
    incomplete: (init: { partial: PartialResponse; cause?: unknown }) =>
      new IncompleteStreamError({ ...init, label }),
    contextOverflow: (init: ContextOverflowInit) =>
      new ContextOverflowError({ ...init, label, hint: overflowHint?.(init) }),
    closed: (init?: ClosedInit) => new ProviderClosedError({ ...init, label }),
    circuitOpen: (init: { retryAfterMs: number | undefined; cause: unknown }) =>
      new CircuitOpenError({ ...init, label }),
    localLimit: (init: { message: string; retryAfterMs: number | undefined; cause: unknown }) =>
      new LocalLimitError({ ...init, label }),
    credentials: (init: { message: string; cause: unknown }) =>
      new CredentialsError({ ...init, label }),
  });
}
