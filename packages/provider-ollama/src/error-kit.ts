import type {
  ClosedInit,
  ContextOverflowInit,
  ErrorKit,
  PartialResponse,
  ProtocolErrorInit,
  TimeoutErrorInit,
} from '@x/provider-core';
import { OLLAMA } from './error-codes';
import {
  CircuitOpenError,
  ContextOverflowError,
  CredentialsError,
  IncompleteStreamError,
  LocalLimitError,
  OllamaConnectionError,
  OllamaProtocolError,
  OllamaStreamError,
  OllamaTimeoutError,
  ProviderClosedError,
} from './errors';

/** The constructors the shared request path uses to raise this package's errors. */
export const OLLAMA_ERRORS: ErrorKit = Object.freeze({
  origin: OLLAMA,
  timeout: (init: TimeoutErrorInit) => new OllamaTimeoutError(init),
  connection: (init: { origin: string; causeCode?: string | undefined; cause?: unknown }) =>
    new OllamaConnectionError(init),
  protocol: (init: ProtocolErrorInit) => new OllamaProtocolError(init),
  stream: (init: ConstructorParameters<typeof OllamaStreamError>[0]) => new OllamaStreamError(init),
  incomplete: (init: { partial: PartialResponse; cause?: unknown }) =>
    new IncompleteStreamError(init),
  contextOverflow: (init: ContextOverflowInit) => new ContextOverflowError(init),
  closed: (init?: ClosedInit) => new ProviderClosedError(init),
  circuitOpen: (init: Parameters<ErrorKit['circuitOpen']>[0]) => new CircuitOpenError(init),
  localLimit: (init: { message: string; retryAfterMs: number | undefined; cause: unknown }) =>
    new LocalLimitError(init),
  credentials: (init: { message: string; cause: unknown }) => new CredentialsError(init),
});
