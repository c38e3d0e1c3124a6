import { isCalibrator } from './calibrator';
import { countChatExact, expectMessages, expectTools } from './chat';
import { encodingForModel, getCounter } from './encodings';
import { heuristicContext, heuristicTokens } from './internal/heuristic';
import { marginFor, PROFILES } from './internal/profiles';
import {
  describe,
  type EstimateTokensOptions,
  expectObject,
  expectProvider,
  expectString,
} from './options';
import type { ChatMessage, Provider } from './types';

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
    weights: { ...profile.weights },
  };
}

/**
 * Estimates the tokens of a text or of a chat request. OpenAI models (and registered models with
 * an `encoding`) are counted exactly. Other models get a character-class heuristic (words,
 * punctuation runs, digits, line breaks, CJK and Hangul characters weigh differently) fitted per
 * tokenizer family, plus each provider's per-message formatting overhead; with a calibrator that
 * has learned the model, the heuristic is corrected by what the server actually counted.
 *
 * @throws {TypeError} on invalid input or options.
 * @example
 * estimateTokens('Bonjour tout le monde', { model: 'llama3.2:3b' })
 * // { tokens: 4, method: 'heuristic', errorMargin: 0.31 }
 */
export function estimateTokens(
  input: string | readonly ChatMessage[],
  options: EstimateTokensOptions = {},
): TokenEstimate {
  expectObject('options', options);
  const { model, provider, tools, calibrator } = options;
  if (typeof input !== 'string') expectMessages(input);
  if (model !== undefined) expectString('model', model);
  if (provider !== undefined) expectProvider(provider);
  if (tools !== undefined) expectTools(tools);
  if (calibrator !== undefined && !isCalibrator(calibrator)) {
    throw new TypeError(`Expected \`calibrator\` to be a Calibrator, got ${describe(calibrator)}`);
  }

  const encoding = model !== undefined ? encodingForModel(model) : undefined;
  if (encoding !== undefined) {
    const tokens =
      typeof input === 'string' && tools === undefined
        ? getCounter(encoding).count(input, false)
        : typeof input === 'string'
          ? getCounter(encoding).count(input, false) + countChatExact([], encoding, tools) - 3
          : countChatExact(input, encoding, tools);
    return { tokens, method: 'exact', errorMargin: 0 };
  }

  const { profile } = heuristicContext(model, provider);
  const { tokens, chars, nonAscii } = heuristicTokens(input, profile, tools);
  if (calibrator !== undefined && model !== undefined) {
    const state = calibrator.get(model, provider);
    if (state?.ready) {
      const calibrated = tokens === 0 ? 0 : Math.max(1, Math.round(tokens * state.scale));
      return { tokens: calibrated, method: 'calibrated', errorMargin: state.errorMargin };
    }
  }
  // The margin blends the ASCII and non-ASCII margins by the input's share of non-ASCII
  // characters, and grows on very short inputs by one token's worth.
  const margin = marginFor(profile, nonAscii, chars);
  const errorMargin = Math.min(1, margin + (tokens > 0 ? 1 / tokens : 0));
  return { tokens, method: 'heuristic', errorMargin: Number(errorMargin.toFixed(4)) };
}
