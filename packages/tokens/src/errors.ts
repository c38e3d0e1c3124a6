/** Every error code this package throws. Renaming one is a breaking change. */
export type TokensErrorCode =
  | 'X_TOKENS_NO_EXACT_TOKENIZER'
  | 'X_TOKENS_UNKNOWN_MODEL'
  | 'X_TOKENS_ENCODING_LOAD';

const TOKENS_ERROR = Symbol.for('@x/tokens/TokensError');
const NO_EXACT_TOKENIZER = Symbol.for('@x/tokens/NoExactTokenizerError');
const UNKNOWN_MODEL = Symbol.for('@x/tokens/UnknownModelError');
const ENCODING_LOAD = Symbol.for('@x/tokens/EncodingLoadError');

function branded(value: unknown, brand: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** Base class of every runtime error of `@x/tokens`. */
export class TokensError extends Error {
  override name = 'TokensError';
  /** Stable machine-readable code, `X_TOKENS_<REASON>`. */
  readonly code: TokensErrorCode;
  declare readonly [TOKENS_ERROR]: true;

  constructor(code: TokensErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, TOKENS_ERROR, { value: true });
  }
}

/**
 * Thrown by `countTokens`/`countChatTokens` when the model has no exact tokenizer in this package
 * (anything but OpenAI's `o200k_base` and `cl100k_base` models). Use `estimateTokens` instead.
 */
export class NoExactTokenizerError extends TokensError {
  override name = 'NoExactTokenizerError';
  /** The model that was asked for. */
  readonly model: string;
  declare readonly [NO_EXACT_TOKENIZER]: true;

  constructor(model: string) {
    super(
      'X_TOKENS_NO_EXACT_TOKENIZER',
      `No exact tokenizer for model \`${model}\`: only OpenAI o200k_base and cl100k_base models are counted exactly; use estimateTokens() or registerModel() with an \`encoding\``,
    );
    this.model = model;
    Object.defineProperty(this, NO_EXACT_TOKENIZER, { value: true });
  }
}

/** Thrown when a call needs facts about a model (its context window) that the registry lacks. */
export class UnknownModelError extends TokensError {
  override name = 'UnknownModelError';
  /** The model that was asked for. */
  readonly model: string;
  declare readonly [UNKNOWN_MODEL]: true;

  constructor(model: string, need: string) {
    super(
      'X_TOKENS_UNKNOWN_MODEL',
      `Unknown model \`${model}\`: pass \`${need}\` or call registerModel() first`,
    );
    this.model = model;
    Object.defineProperty(this, UNKNOWN_MODEL, { value: true });
  }
}

/** Thrown when an encoding's rank file cannot be loaded (not installed, or no synchronous loader). */
export class EncodingLoadError extends TokensError {
  override name = 'EncodingLoadError';
  /** The encoding that failed to load. */
  readonly encoding: string;
  declare readonly [ENCODING_LOAD]: true;

  constructor(encoding: string, message: string, cause?: unknown) {
    super('X_TOKENS_ENCODING_LOAD', `Cannot load encoding \`${encoding}\`: ${message}`, { cause });
    this.encoding = encoding;
    Object.defineProperty(this, ENCODING_LOAD, { value: true });
  }
}

/**
 * True for any error thrown by `@x/tokens` (works across duplicate installs).
 *
 * @example
 * try { countTokens(text, { model }); } catch (e) { if (isNoExactTokenizerError(e)) useEstimate(); }
 */
export function isTokensError(error: unknown): error is TokensError {
  return branded(error, TOKENS_ERROR);
}

/** True for a {@link NoExactTokenizerError}. */
export function isNoExactTokenizerError(error: unknown): error is NoExactTokenizerError {
  return branded(error, NO_EXACT_TOKENIZER);
}

/** True for an {@link UnknownModelError}. */
export function isUnknownModelError(error: unknown): error is UnknownModelError {
  return branded(error, UNKNOWN_MODEL);
}

/** True for an {@link EncodingLoadError}. */
export function isEncodingLoadError(error: unknown): error is EncodingLoadError {
  return branded(error, ENCODING_LOAD);
}
