import { expectNumber, fail } from '@x/internal';
import { UnknownModelError } from './errors';
import { estimate, type TokenEstimate } from './estimate';
import { getModelInfo } from './models';
import { expectOptions, type FitsContextOptions, KEYS } from './options';
import type { ChatMessage } from './types';

/** The result of `fitsContext`. */
export interface ContextFit {
  /** True when prompt (upper bound, see `useErrorMargin`) + reserved output <= context window. */
  fits: boolean;
  /** The prompt's token count (exact, calibrated or heuristic; see `method`). */
  promptTokens: number;
  /**
   * The part of `promptTokens` that a calibrator learned the server adds unseen (a Modelfile
   * `SYSTEM` prompt, a template); 0 unless `method` is `'calibrated'`.
   */
  overheadTokens: number;
  /** The prompt size the check used: `promptTokens`, or its upper bound for estimates. */
  checkedPromptTokens: number;
  contextWindow: number;
  reserveOutputTokens: number;
  /** Tokens over the window (0 when it fits). */
  overflowBy: number;
  method: TokenEstimate['method'];
  errorMargin: number;
}

/**
 * Checks that a prompt plus the tokens reserved for the reply fit the model's context window.
 * Estimated counts are checked at the upper end of their error margin by default, because an
 * overflowing prompt is often truncated silently (Ollama) rather than rejected.
 *
 * @throws {UnknownModelError} when neither `contextWindow` nor a known `model` gives the window.
 * @example
 * fitsContext(messages, { model: 'llama2', reserveOutputTokens: 512 })
 * // { fits: true, promptTokens: 27, checkedPromptTokens: 30, contextWindow: 4096, overflowBy: 0, ... }
 */
export function fitsContext(
  input: string | readonly ChatMessage[],
  options: FitsContextOptions,
): ContextFit {
  expectOptions('options', undefined, options, KEYS.fitsContext);
  const { model, reserveOutputTokens = 0, useErrorMargin = true } = options;
  expectNumber('reserveOutputTokens', reserveOutputTokens, { min: 0, integer: true });
  if (typeof useErrorMargin !== 'boolean') fail('useErrorMargin', 'a boolean', useErrorMargin);
  let contextWindow = options.contextWindow;
  if (contextWindow !== undefined) {
    expectNumber('contextWindow', contextWindow, { min: 1, integer: true });
  } else {
    if (model === undefined) {
      throw new TypeError('Expected `model` or `contextWindow` to be given, got neither');
    }
    contextWindow = getModelInfo(model)?.contextWindow;
    if (contextWindow === undefined) throw new UnknownModelError(model, 'contextWindow');
  }
  // A prompt far past the window is not worth an exact count: the estimate already says no.
  const prompt = estimate(input, { ...options, exactLimit: contextWindow });
  const checked =
    useErrorMargin && prompt.method !== 'exact'
      ? Math.ceil(prompt.tokens * (1 + prompt.errorMargin))
      : prompt.tokens;
  const overflowBy = Math.max(0, checked + reserveOutputTokens - contextWindow);
  return {
    fits: overflowBy === 0,
    promptTokens: prompt.tokens,
    overheadTokens: prompt.overheadTokens,
    checkedPromptTokens: checked,
    contextWindow,
    reserveOutputTokens,
    overflowBy,
    method: prompt.method,
    errorMargin: prompt.errorMargin,
  };
}
