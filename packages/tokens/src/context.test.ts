import { describe, expect, it } from 'vitest';
import { cookbookMessages } from './__fixtures__/cookbook';
import { fitsContext } from './context';
import { isUnknownModelError, UnknownModelError } from './errors';
import { estimateTokens } from './estimate';

describe('fitsContext', () => {
  it('fits with the exact count when an OpenAI prompt leaves room for the reply', () => {
    expect(fitsContext(cookbookMessages, { model: 'gpt-4', reserveOutputTokens: 1000 })).toEqual({
      fits: true,
      promptTokens: 129,
      overheadTokens: 0,
      checkedPromptTokens: 129,
      contextWindow: 8192,
      reserveOutputTokens: 1000,
      overflowBy: 0,
      method: 'exact',
      errorMargin: 0,
    });
  });

  it('reports the overflow when the prompt plus the reserve exceed the window', () => {
    const result = fitsContext(cookbookMessages, {
      model: 'gpt-4',
      contextWindow: 200,
      reserveOutputTokens: 100,
    });
    expect(result).toMatchObject({
      fits: false,
      promptTokens: 129,
      overflowBy: 29,
      contextWindow: 200,
    });
  });

  it('uses llama2 4096 and checks the upper end of the estimate when counting is heuristic', () => {
    const prompt = 'Tell me about the history of the harbour and its ferries. '.repeat(200);
    const estimate = estimateTokens(prompt, { model: 'llama2' });
    const result = fitsContext(prompt, { model: 'llama2' });
    expect(result.contextWindow).toBe(4096);
    expect(result.method).toBe('heuristic');
    expect(result.checkedPromptTokens).toBe(
      Math.ceil(estimate.tokens * (1 + estimate.errorMargin)),
    );
    const window = estimate.tokens + 10;
    expect(fitsContext(prompt, { model: 'llama2', contextWindow: window }).fits).toBe(false);
    expect(
      fitsContext(prompt, { model: 'llama2', contextWindow: window, useErrorMargin: false }).fits,
    ).toBe(true);
  });

  it('uses the given contextWindow when the model is unknown', () => {
    expect(
      fitsContext('hello', { model: 'my-finetune', provider: 'ollama', contextWindow: 2048 }).fits,
    ).toBe(true);
  });

  it('throws UnknownModelError when neither the model nor contextWindow gives the window', () => {
    expect(() => fitsContext('hello', { model: 'my-finetune' })).toThrow(UnknownModelError);
    try {
      fitsContext('hello', { model: 'my-finetune' });
    } catch (error) {
      expect(isUnknownModelError(error)).toBe(true);
      expect((error as UnknownModelError).code).toBe('X_TOKENS_UNKNOWN_MODEL');
    }
    expect(() => fitsContext('hello', {})).toThrow(TypeError);
  });

  it('throws TypeError or RangeError when options are invalid', () => {
    expect(() => fitsContext('x', { model: 'gpt-4o', reserveOutputTokens: -5 })).toThrow(
      RangeError,
    );
    expect(() => fitsContext('x', { model: 'gpt-4o', contextWindow: 0 })).toThrow(RangeError);
    expect(() => fitsContext('x', { model: 'gpt-4o', useErrorMargin: 'yes' as never })).toThrow(
      TypeError,
    );
  });
});
