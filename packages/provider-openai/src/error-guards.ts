// The guards of this package's errors and the unions they narrow to, apart from the classes
// (`errors.ts`, which re-exports them): a guard reads the brand, so it works across duplicate
// installs where `instanceof` of another copy's class would not.
import { hasBrand } from '@x/internal';
import { BRAND } from './error-codes';
import type {
  CircuitOpenError,
  ContextOverflowError,
  CredentialsError,
  IncompleteStreamError,
  LocalLimitError,
  ModelNotFoundError,
  OpenAIApiError,
  OpenAIConnectionError,
  OpenAIProtocolError,
  OpenAIStreamError,
  OpenAITimeoutError,
  ProviderClosedError,
  RateLimitedError,
  ServerBusyError,
} from './errors';

/**
 * An {@link OpenAIApiError} as a union on `kind` (and `code`): after `isOpenAIApiError(e)`,
 * `e.kind === 'model-not-found'` narrows to {@link ModelNotFoundError} and reads `e.model`.
 */
export type AnyOpenAIApiError =
  // thrown as itself, it is the plain `api` kind; a missing model or a busy server is a subclass
  | (OpenAIApiError & { readonly kind: 'api'; readonly code: 'X_PROVIDER_OPENAI_API' })
  | ModelNotFoundError
  | RateLimitedError
  | ServerBusyError;

/**
 * Every error a call of this package ends with, as a union on `kind` (and `code`): after
 * `isOpenAIError(e)`, `switch (e.kind)` narrows to the class, so `case 'api':` reads `statusCode`
 * and `case 'timeout':` reads `timeout`.
 */
export type AnyOpenAIError =
  | AnyOpenAIApiError
  | ContextOverflowError
  | OpenAIStreamError
  | IncompleteStreamError
  | OpenAITimeoutError
  | OpenAIConnectionError
  | OpenAIProtocolError
  | ProviderClosedError
  | CircuitOpenError
  | LocalLimitError
  | CredentialsError;

/** True for any error of this package (checks the brand, works across duplicate installs). */
export const isOpenAIError = (error: unknown): error is AnyOpenAIError =>
  hasBrand(error, BRAND.error);
/**
 * True for an {@link OpenAIApiError} (and its subclasses). Narrows to {@link AnyOpenAIApiError},
 * so a check of `kind` then reads that class's fields.
 */
export const isOpenAIApiError = (error: unknown): error is AnyOpenAIApiError =>
  hasBrand(error, BRAND.api);
/** True for a {@link ModelNotFoundError}. */
export const isModelNotFoundError = (error: unknown): error is ModelNotFoundError =>
  hasBrand(error, BRAND.modelNotFound);
/** True for a {@link RateLimitedError}. */
export const isRateLimitedError = (error: unknown): error is RateLimitedError =>
  hasBrand(error, BRAND.rateLimited);
/** True for a {@link ServerBusyError}. */
export const isServerBusyError = (error: unknown): error is ServerBusyError =>
  hasBrand(error, BRAND.serverBusy);
/** True for a {@link ContextOverflowError}. */
export const isContextOverflowError = (error: unknown): error is ContextOverflowError =>
  hasBrand(error, BRAND.contextOverflow);
/** True for an {@link OpenAIStreamError}. */
export const isOpenAIStreamError = (error: unknown): error is OpenAIStreamError =>
  hasBrand(error, BRAND.stream);
/** True for an {@link IncompleteStreamError}. */
export const isIncompleteStreamError = (error: unknown): error is IncompleteStreamError =>
  hasBrand(error, BRAND.incompleteStream);
/** True for an {@link OpenAITimeoutError}. */
export const isOpenAITimeoutError = (error: unknown): error is OpenAITimeoutError =>
  hasBrand(error, BRAND.timeout);
/** True for an {@link OpenAIConnectionError}. */
export const isOpenAIConnectionError = (error: unknown): error is OpenAIConnectionError =>
  hasBrand(error, BRAND.connection);
/** True for an {@link OpenAIProtocolError}. */
export const isOpenAIProtocolError = (error: unknown): error is OpenAIProtocolError =>
  hasBrand(error, BRAND.protocol);
/** True for a {@link ProviderClosedError}. */
export const isProviderClosedError = (error: unknown): error is ProviderClosedError =>
  hasBrand(error, BRAND.closed);
/** True for a {@link CircuitOpenError}. */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError =>
  hasBrand(error, BRAND.circuitOpen);
/** True for a {@link LocalLimitError}. */
export const isLocalLimitError = (error: unknown): error is LocalLimitError =>
  hasBrand(error, BRAND.localLimit);
/** True for a {@link CredentialsError}. */
export const isCredentialsError = (error: unknown): error is CredentialsError =>
  hasBrand(error, BRAND.credentials);
