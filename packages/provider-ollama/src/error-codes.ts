/**
 * Who raises `@x/provider-ollama`'s errors: their codes and kinds, the origin in messages, and one
 * `Symbol.for('@x/provider-ollama/<Name>')` brand per class, which its guard checks, so the guards
 * work across duplicate installs.
 */
import { brand, mark } from '@x/internal';
import type {
  ApiErrorKind,
  ConnectionAdvice,
  ErrorOrigin,
  ProviderErrorKind,
} from '@x/provider-core';

/** Who raises these errors: codes `X_PROVIDER_OLLAMA_*`, messages naming Ollama. */
export const OLLAMA: ErrorOrigin = Object.freeze({ provider: 'ollama', label: 'Ollama' });

/**
 * What a connection error says of Ollama's address: the fix ends the message when nothing
 * answered (`X_PROVIDER_OLLAMA_CONNECTION`'s remedy), and the setting to check when something
 * else answered on the port.
 */
export const CONNECTION_ADVICE: ConnectionAdvice = Object.freeze({
  remedy:
    'Is Ollama running? Start it with `ollama serve`, or set `baseUrl` (or OLLAMA_HOST) to where it listens',
  setting: '`baseUrl` (or OLLAMA_HOST)',
});

export const PREFIX = 'X_PROVIDER_OLLAMA_';
const own = (name: string): symbol => brand('provider-ollama', name);

/** One brand per class, and `error` for every error of this package. */
export const BRAND = Object.freeze({
  error: own('OllamaError'),
  api: own('OllamaApiError'),
  modelNotFound: own('ModelNotFoundError'),
  serverBusy: own('ServerBusyError'),
  contextOverflow: own('ContextOverflowError'),
  stream: own('OllamaStreamError'),
  incompleteStream: own('IncompleteStreamError'),
  timeout: own('OllamaTimeoutError'),
  connection: own('OllamaConnectionError'),
  protocol: own('OllamaProtocolError'),
  closed: own('ProviderClosedError'),
  circuitOpen: own('CircuitOpenError'),
  localLimit: own('LocalLimitError'),
  credentials: own('CredentialsError'),
  serverTooOld: own('ServerTooOldError'),
  embeddingDimensions: own('EmbeddingDimensionsError'),
});

/** Every error code this package throws. Renaming one is a breaking change. */
export type OllamaErrorCode =
  | 'X_PROVIDER_OLLAMA_API'
  | 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND'
  | 'X_PROVIDER_OLLAMA_SERVER_BUSY'
  | 'X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW'
  | 'X_PROVIDER_OLLAMA_STREAM'
  | 'X_PROVIDER_OLLAMA_INCOMPLETE_STREAM'
  | 'X_PROVIDER_OLLAMA_TIMEOUT'
  | 'X_PROVIDER_OLLAMA_CONNECTION'
  | 'X_PROVIDER_OLLAMA_PROTOCOL'
  | 'X_PROVIDER_OLLAMA_CLOSED'
  | 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN'
  | 'X_PROVIDER_OLLAMA_LOCAL_LIMIT'
  | 'X_PROVIDER_OLLAMA_CREDENTIALS';

/** The codes of `OllamaApiError` and its subclasses (a model not pulled, a busy server). */
export type OllamaApiErrorCode = Extract<
  OllamaErrorCode,
  'X_PROVIDER_OLLAMA_API' | 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND' | 'X_PROVIDER_OLLAMA_SERVER_BUSY'
>;

/** The kind of each code of {@link OllamaApiErrorCode}. */
export const API_KIND = {
  X_PROVIDER_OLLAMA_API: 'api',
  X_PROVIDER_OLLAMA_MODEL_NOT_FOUND: 'model-not-found',
  X_PROVIDER_OLLAMA_SERVER_BUSY: 'server-busy',
} as const satisfies Record<OllamaApiErrorCode, ApiErrorKind>;

export const KIND_OF_CODE: Record<OllamaErrorCode, ProviderErrorKind> = {
  ...API_KIND,
  X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW: 'context-overflow',
  X_PROVIDER_OLLAMA_STREAM: 'stream',
  X_PROVIDER_OLLAMA_INCOMPLETE_STREAM: 'incomplete-stream',
  X_PROVIDER_OLLAMA_TIMEOUT: 'timeout',
  X_PROVIDER_OLLAMA_CONNECTION: 'connection',
  X_PROVIDER_OLLAMA_PROTOCOL: 'protocol',
  X_PROVIDER_OLLAMA_CLOSED: 'closed',
  X_PROVIDER_OLLAMA_CIRCUIT_OPEN: 'circuit-open',
  X_PROVIDER_OLLAMA_LOCAL_LIMIT: 'local-limit',
  X_PROVIDER_OLLAMA_CREDENTIALS: 'credentials',
};

/** Brands an error of this package: the base brand and its own. */
export function branded(error: Error, symbol: symbol, name: string): void {
  error.name = name;
  mark(error, BRAND.error);
  mark(error, symbol);
}
