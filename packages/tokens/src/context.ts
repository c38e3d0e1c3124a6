import { UnknownModelError } from './errors';
import { estimateTokens, type TokenEstimate } from './estimate';
import { getModelInfo } from './models';
import { describe, expectNumber, expectObject, type FitsContextOptions } from './options';
import type { ChatMessage } from './types';

/** The result of `fitsContext`. */
export interface ContextFit {
  /** True when prompt (upper bound, see `useErrorMargin`) + reserved output <= context window. */
  fits: boolean;
  /** The prompt's token count (exact, calibrated or heuristic; see `method`). */
  promptTokens: number;
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
  expectObject('options', options);
  const { model, reserveOutputTokens = 0, useErrorMargin = true } = options;
  expectNumber('reserveOutputTokens', reserveOutputTokens, 0, true);
  if (typeof useErrorMargin !== 'boolean') {
    throw new TypeError(
      `Expected \`useErrorMargin\` to be a boolean, got ${describe(useErrorMargin)}`,
    );
  }
  let contextWindow = options.contextWindow;
  if (contextWindow !== undefined) {
    expectNumber('contextWindow', contextWindow, 1, true);
  } else {
    if (model === undefined) {
      throw new TypeError('Expected `model` or `contextWindow` to be given, got neither');
    }
    contextWindow = getModelInfo(model)?.contextWindow;
    if (contextWindow === undefined) throw new UnknownModelError(model, 'contextWindow');
  }
  const estimate = estimateTokens(input, options);
  const checked =
    useErrorMargin && estimate.method !== 'exact'
      ? Math.ceil(estimate.tokens * (1 + estimate.errorMargin))
      : estimate.tokens;
  const overflowBy = Math.max(0, checked + reserveOutputTokens - contextWindow);
  return {
    fits: overflowBy === 0,
    promptTokens: estimate.tokens,
    checkedPromptTokens: checked,
    contextWindow,
    reserveOutputTokens,
    overflowBy,
    method: estimate.method,
    errorMargin: estimate.errorMargin,
  };
}
