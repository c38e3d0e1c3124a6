import { brand, errorJSON, hasBrand, mark, quoted } from '@x/internal';

/** Every error code this package throws. Renaming one is a breaking change. */
export type TokensErrorCode =
  | 'X_TOKENS_NO_EXACT_TOKENIZER'
  | 'X_TOKENS_UNKNOWN_MODEL'
  | 'X_TOKENS_ENCODING_LOAD';

const TOKENS_ERROR = brand('tokens', 'TokensError');
const NO_EXACT_TOKENIZER = brand('tokens', 'NoExactTokenizerError');
const UNKNOWN_MODEL = brand('tokens', 'UnknownModelError');
const ENCODING_LOAD = brand('tokens', 'EncodingLoadError');

/** Base class of every runtime error of `@x/tokens`. */
export class TokensError extends Error {
  override name = 'TokensError';
  /** Stable machine-readable code, `X_TOKENS_<REASON>`. */
  readonly code: TokensErrorCode;

  constructor(code: TokensErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    mark(this, TOKENS_ERROR);
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
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

  constructor(model: string) {
    super(
      'X_TOKENS_NO_EXACT_TOKENIZER',
      `No exact tokenizer for model ${quoted(model)}: only OpenAI o200k_base and cl100k_base models are counted exactly; use estimateTokens() or registerModel() with an \`encoding\``,
    );
    this.model = model;
    mark(this, NO_EXACT_TOKENIZER);
  }
}

/** Thrown when a call needs facts about a model (its context window) that the registry lacks. */
export class UnknownModelError extends TokensError {
  override name = 'UnknownModelError';
  /** The model that was asked for. */
  readonly model: string;

  constructor(model: string, need: string) {
    super(
      'X_TOKENS_UNKNOWN_MODEL',
      `Unknown model ${quoted(model)}: pass \`${need}\` or call registerModel() first`,
    );
    this.model = model;
    mark(this, UNKNOWN_MODEL);
  }
}

/**
 * Thrown when an encoding's rank file cannot be loaded: js-tiktoken (an optional peer dependency,
 * needed only for exact counts) is not installed, or a bundled app does not carry its rank files
 * (`await loadEncoding(name)` first), or the runtime has no synchronous loader. The message says
 * which and what to do.
 */
export class EncodingLoadError extends TokensError {
  override name = 'EncodingLoadError';
  /** The encoding that failed to load. */
  readonly encoding: string;

  constructor(encoding: string, message: string, cause?: unknown) {
    super('X_TOKENS_ENCODING_LOAD', `Cannot load encoding \`${encoding}\`: ${message}`, { cause });
    this.encoding = encoding;
    mark(this, ENCODING_LOAD);
  }
}

/**
 * True for any error thrown by `@x/tokens` (works across duplicate installs).
 *
 * @example
 * try { countTokens(text, { model }); } catch (e) { if (isNoExactTokenizerError(e)) useEstimate(); }
 */
export function isTokensError(error: unknown): error is TokensError {
  return hasBrand(error, TOKENS_ERROR);
}

/** True for a {@link NoExactTokenizerError}. */
export function isNoExactTokenizerError(error: unknown): error is NoExactTokenizerError {
  return hasBrand(error, NO_EXACT_TOKENIZER);
}

/** True for an {@link UnknownModelError}. */
export function isUnknownModelError(error: unknown): error is UnknownModelError {
  return hasBrand(error, UNKNOWN_MODEL);
}

/** True for an {@link EncodingLoadError}. */
export function isEncodingLoadError(error: unknown): error is EncodingLoadError {
  return hasBrand(error, ENCODING_LOAD);
}
