import { expectNumber, expectString, fail } from '@x/internal';
import { isCalibrator, type KeyedCalibrator, STATE_BY_KEY } from './calibrator';
import { exactTokens, expectMessages, framingTokens } from './chat';
import { encodingForModel } from './encodings';
import { heuristicContext, heuristicTokens } from './internal/heuristic';
import type { HeuristicProfile as Profile } from './internal/heuristic-profile';
import { marginFor, PROFILES, roundMargin } from './internal/profiles';
import { type EstimateTokensOptions, expectOptions, expectProvider, KEYS } from './options';
import { expectTools } from './tools';
import type { ChatMessage, ChatTool, Provider } from './types';

/** The result of `estimateTokens`. */
export interface TokenEstimate {
  /** Estimated (or exact) token count. */
  tokens: number;
  /**
   * `'exact'`: counted with the model's tokenizer. `'calibrated'`: heuristic corrected by what a
   * calibrator learned from the server. `'heuristic'`: character-class heuristic.
   */
  method: 'exact' | 'calibrated' | 'heuristic';
  /** Relative error margin (0.12 = the true count is expected within ±12 %); 0 when exact. */
  errorMargin: number;
  /**
   * The part of `tokens` that a calibrator learned the server adds and the client cannot see (a
   * Modelfile `SYSTEM` prompt, a chat template): 0 unless `method` is `'calibrated'`. A caller
   * deciding a context overflow can tell the prompt's own size (`tokens - overheadTokens`) from it.
   */
  overheadTokens: number;
}

/** The heuristic parameters of a provider, as documented in the README. */
export interface HeuristicProfileInfo {
  /** The original flat tokens-per-character ratio the profile starts from. */
  ratio: number;
  /** Formatting tokens per chat message. */
  perMessage: number;
  /** Extra tokens for a message `name`. */
  perName: number;
  /** Tokens that prime the reply (and begin-of-sequence markers). */
  priming: number;
  /** Relative error margin of heuristic estimates of ASCII text. */
  errorMargin: number;
  /** Relative error margin for text entirely outside ASCII (CJK, other scripts, emoji). */
  nonAsciiMargin: number;
  /** Whether the profile was fitted against a real tokenizer. */
  measured: boolean;
  /**
   * `[min, max]` of a calibrator's learned scale (server count ÷ this heuristic) for the family:
   * no sequence of observations moves a calibrated estimate outside it.
   */
  scaleRange: readonly [number, number];
  /** Tokens per unit of each character-class feature. */
  weights: Record<string, number>;
}

/**
 * The heuristic profile used for a provider's models (Ollama's Mistral-family models use the
 * `mistral` weights, Perplexity's the Llama 3 ones).
 *
 * @example
 * getHeuristicProfile('ollama').ratio // 0.27
 */
export function getHeuristicProfile(provider: Provider): HeuristicProfileInfo {
  expectProvider(provider);
  const profile = provider === 'perplexity' ? PROFILES.ollama : PROFILES[provider];
  return {
    ratio: profile.ratio,
    perMessage: profile.perMessage,
    perName: profile.perName,
    priming: profile.priming,
    errorMargin: profile.errorMargin,
    nonAsciiMargin: profile.nonAsciiMargin,
    measured: profile.measured,
    scaleRange: [...profile.scaleRange],
    weights: { ...profile.weights },
  };
}

/**
 * Estimates the tokens of a text or of a chat request. OpenAI models (and registered models with
 * an `encoding`) are counted exactly when js-tiktoken is installed (without it, they get the
 * heuristic). Other models get a character-class heuristic (words, punctuation runs, digits, line
 * breaks, CJK and Hangul characters weigh differently) fitted per tokenizer family, plus each
 * provider's per-message formatting overhead; with a calibrator that has learned the model, the
 * heuristic is corrected by what the server actually counted: a learned fixed overhead plus the
 * heuristic times a learned scale.
 *
 * @throws {TypeError | RangeError} on invalid input or options (an unknown option key included).
 * @example
 * estimateTokens('Bonjour tout le monde', { model: 'llama3.2:3b' })
 * // { tokens: 4, method: 'heuristic', errorMargin: 0.31, overheadTokens: 0 }
 */
export function estimateTokens(
  input: string | readonly ChatMessage[],
  options: EstimateTokensOptions = {},
): TokenEstimate {
  expectOptions('options', undefined, options, KEYS.estimateTokens);
  return estimate(input, options);
}

/** @internal {@link estimateTokens} once the caller has checked the keys of `options`. */
export function estimate(
  input: string | readonly ChatMessage[],
  options: EstimateTokensOptions,
): TokenEstimate {
  const { model, provider, tools, calibrator, exactLimit } = options;
  if (typeof input !== 'string') {
    if (!Array.isArray(input)) fail('input', 'a string or an array of messages', input);
    expectMessages(input, 'input');
  }
  if (model !== undefined) expectString('model', model, true);
  if (provider !== undefined) expectProvider(provider);
  if (tools !== undefined) expectTools(tools);
  if (calibrator !== undefined && !isCalibrator(calibrator)) {
    fail('calibrator', 'a calibrator from createCalibrator()', calibrator);
  }
  if (exactLimit !== undefined) expectNumber('exactLimit', exactLimit, { min: 0 });

  const encoding = model !== undefined ? encodingForModel(model) : undefined;
  const { profile, key, local } = heuristicContext(model, provider);
  // A local model with an encoding (gpt-oss on Ollama): the text is counted exactly, but the
  // server frames the chat with its own template (harmony), not OpenAI's, so that part is an
  // estimate the calibrator corrects.
  let localExact: number | undefined;
  if (encoding !== undefined) {
    if (exactLimit !== undefined) {
      const rough = farPast(input, profile, tools, exactLimit);
      if (rough !== undefined) return rough;
    }
    const exact = exactTokens(input, encoding, tools);
    if (exact !== undefined && !local) {
      return { tokens: exact, method: 'exact', errorMargin: 0, overheadTokens: 0 };
    }
    localExact = exact;
  }

  const heuristic = localExact === undefined ? heuristicEstimate(input, profile, tools) : undefined;
  const tokens = heuristic?.tokens ?? localExact!;
  if (calibrator !== undefined && model !== undefined) {
    const byKey = (calibrator as KeyedCalibrator)[STATE_BY_KEY];
    const state = byKey !== undefined ? byKey(key) : calibrator.get(model, provider);
    if (state?.ready) {
      const overheadTokens = state.overheadTokens;
      const own = tokens === 0 ? 0 : Math.max(1, Math.round(tokens * state.scale));
      return {
        tokens: overheadTokens + own,
        method: 'calibrated',
        errorMargin: state.errorMargin,
        overheadTokens,
      };
    }
  }
  if (localExact !== undefined) {
    // Only the framing is uncertain: it may be off by its own size and a token, plus what the
    // family's template can add (the profile's ASCII margin).
    const framing = encoding === undefined ? 0 : framingTokens(input, encoding);
    const margin = tokens > 0 ? profile.errorMargin + (framing + 1) / tokens : 0;
    return {
      tokens,
      method: 'heuristic',
      errorMargin: roundMargin(Math.min(1, margin)),
      overheadTokens: 0,
    };
  }
  return heuristic!;
}

/** The character-class estimate of `input` with its error margin. */
function heuristicEstimate(
  input: string | readonly ChatMessage[],
  profile: Profile,
  tools: readonly ChatTool[] | undefined,
): TokenEstimate {
  const { tokens, chars, nonAscii, uncertain } = heuristicTokens(input, profile, tools);
  // The margin blends the ASCII and non-ASCII margins by the input's share of non-ASCII
  // characters, and grows on very short inputs by one token's worth.
  // Run features whose rate varies by character (control characters, alternating spaces and
  // tabs, long punctuation runs) widen it by their share of the tokens.
  const margin = marginFor(profile, nonAscii, chars);
  const errorMargin = Math.min(1, margin + (tokens > 0 ? (uncertain + 1) / tokens : 0));
  return {
    tokens,
    method: 'heuristic',
    errorMargin: roundMargin(errorMargin),
    overheadTokens: 0,
  };
}

/**
 * How far past `limit` an estimate must be to skip the exact count. The heuristic overestimates by
 * at most 21 % on the o200k_base held-out corpus and 33 % on any measured tokenizer (README,
 * "Estimator accuracy"); a low end (tokens × (1 - errorMargin)) of twice the limit leaves the true
 * count at least 2 / 1.33 = 1.5 × the limit even if the margin were 0, so a prompt that fits is
 * never refused on the estimate. Heuristic estimates err low far more than high, which only makes
 * the skip rarer.
 */
const FAR_PAST = 2;

/**
 * The heuristic estimate when even its low end is far past `limit` (an exact count would only
 * confirm the overflow, at ~1-2 µs and a few bytes per character of a long piece), else undefined.
 */
function farPast(
  input: string | readonly ChatMessage[],
  profile: Profile,
  tools: readonly ChatTool[] | undefined,
  limit: number,
): TokenEstimate | undefined {
  // Every token is at least one UTF-8 byte (at most 3 per UTF-16 unit), so text this short has at
  // most 2 × limit tokens: counted exactly, without the heuristic's extra pass, as every ordinary
  // call is (a chat included: the pass would cost each call microseconds for nothing).
  if (textLength(input) * 3 <= limit * FAR_PAST) return undefined;
  const rough = heuristicEstimate(input, profile, tools);
  return rough.tokens * (1 - rough.errorMargin) >= limit * FAR_PAST ? rough : undefined;
}

/**
 * The characters of a prompt's text: a string's, or its messages' content (text parts included),
 * which is what a huge prompt is made of. What else a chat holds (tool schemas, tool-call
 * arguments) is left out: a prompt whose bulk lies there is counted exactly, as before the skip.
 */
function textLength(input: string | readonly ChatMessage[]): number {
  if (typeof input === 'string') return input.length;
  let length = 0;
  for (const message of input) {
    const content = message.content;
    if (typeof content === 'string') length += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) if (typeof part?.text === 'string') length += part.text.length;
    }
  }
  return length;
}
