/**
 * Who raises `@x/provider-openai`'s errors: their codes, the kinds of the API codes, the origin in
 * messages, and one `Symbol.for('@x/provider-openai/<Name>')` brand per class, which its guard
 * checks, so the guards work across duplicate installs.
 */
import { brand, mark } from '@x/internal';
import type { ApiErrorKind, ErrorOrigin } from '@x/provider-core';

/** Every error code this package throws. Renaming one is a breaking change. */
export type OpenAIErrorCode =
  | 'X_PROVIDER_OPENAI_API'
  | 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND'
  | 'X_PROVIDER_OPENAI_RATE_LIMITED'
  | 'X_PROVIDER_OPENAI_SERVER_BUSY'
  | 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW'
  | 'X_PROVIDER_OPENAI_STREAM'
  | 'X_PROVIDER_OPENAI_INCOMPLETE_STREAM'
  | 'X_PROVIDER_OPENAI_TIMEOUT'
  | 'X_PROVIDER_OPENAI_CONNECTION'
  | 'X_PROVIDER_OPENAI_PROTOCOL'
  | 'X_PROVIDER_OPENAI_CLOSED'
  | 'X_PROVIDER_OPENAI_CIRCUIT_OPEN'
  | 'X_PROVIDER_OPENAI_LOCAL_LIMIT'
  | 'X_PROVIDER_OPENAI_CREDENTIALS';

export const PREFIX = 'X_PROVIDER_OPENAI_';

/** The codes of `OpenAIApiError` and its subclasses (a 404 model, a 429, a busy server). */
export type OpenAIApiErrorCode = Extract<
  OpenAIErrorCode,
  | 'X_PROVIDER_OPENAI_API'
  | 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND'
  | 'X_PROVIDER_OPENAI_RATE_LIMITED'
  | 'X_PROVIDER_OPENAI_SERVER_BUSY'
>;

/** The kind of each code of {@link OpenAIApiErrorCode}. */
export const API_KIND = {
  X_PROVIDER_OPENAI_API: 'api',
  X_PROVIDER_OPENAI_MODEL_NOT_FOUND: 'model-not-found',
  X_PROVIDER_OPENAI_RATE_LIMITED: 'api',
  X_PROVIDER_OPENAI_SERVER_BUSY: 'server-busy',
} as const satisfies Record<OpenAIApiErrorCode, ApiErrorKind>;

/** Who raises the errors: codes `X_PROVIDER_OPENAI_*`, messages naming the preset. */
export function originOf(label = 'OpenAI'): ErrorOrigin {
  return { provider: 'openai', label };
}

const own = (name: string): symbol => brand('provider-openai', name);

/** One brand per class, and `error` for every error of this package. */
export const BRAND = Object.freeze({
  error: own('OpenAIError'),
  api: own('OpenAIApiError'),
  modelNotFound: own('ModelNotFoundError'),
  rateLimited: own('RateLimitedError'),
  serverBusy: own('ServerBusyError'),
  contextOverflow: own('ContextOverflowError'),
  stream: own('OpenAIStreamError'),
  incompleteStream: own('IncompleteStreamError'),
  timeout: own('OpenAITimeoutError'),
  connection: own('OpenAIConnectionError'),
  protocol: own('OpenAIProtocolError'),
  closed: own('ProviderClosedError'),
  circuitOpen: own('CircuitOpenError'),
  localLimit: own('LocalLimitError'),
  credentials: own('CredentialsError'),
});

/** Brands an error of this package: the base brand and its own. */
export function branded(error: Error, symbol: symbol, name: string): void {
  error.name = name;
  mark(error, BRAND.error);
  mark(error, symbol);
}
