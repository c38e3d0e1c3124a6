import type {
  ClosedInit,
  ConnectionAdvice,
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
 * `overflowHint` says how to fix an overflow found before sending, where there is more to say;
 * `reach`, what a connection error names and advises (`connectionAdvice` in `options.ts`).
 */
export function openAIErrorKit(
  label: string,
  overflowHint?: ((init: ContextOverflowInit) => string | undefined) | undefined,
  reach?: (ConnectionAdvice & { label: string }) | undefined,
): ErrorKit {
  return Object.freeze({
    origin: originOf(label),
    // A connect timeout ends with the connection error's fix: nothing answered there either.
    timeout: (init: TimeoutErrorInit) =>
      new OpenAITimeoutError({ remedy: reach?.remedy, ...init, label }),
    connection: (init: { origin: string; causeCode?: string | undefined; cause?: unknown }) =>
      new OpenAIConnectionError({ ...reach, ...init, label: reach?.label ?? label }),
    protocol: (init: ProtocolErrorInit) => new OpenAIProtocolError({ ...init, label }),
    stream: (init: Omit<OpenAIStreamErrorInit, 'label'>) =>
      new OpenAIStreamError({ ...init, label }),
    incomplete: (init: { partial: PartialResponse; cause?: unknown }) =>
      new IncompleteStreamError({ ...init, label }),
    contextOverflow: (init: ContextOverflowInit) =>
      new ContextOverflowError({ ...init, label, hint: overflowHint?.(init) }),
    closed: (init?: ClosedInit) => new ProviderClosedError({ ...init, label }),
    circuitOpen: (init: Parameters<ErrorKit['circuitOpen']>[0]) =>
      new CircuitOpenError({ ...init, label }),
    localLimit: (init: { message: string; retryAfterMs: number | undefined; cause: unknown }) =>
      new LocalLimitError({ ...init, label }),
    credentials: (init: { message: string; cause: unknown }) =>
      new CredentialsError({ ...init, label }),
  });
}
