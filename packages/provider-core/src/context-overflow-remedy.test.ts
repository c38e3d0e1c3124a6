import { describe, expect, it } from 'vitest';
import { ContextOverflowError } from './index';

const origin = { provider: 'test', label: 'Test' };

describe('ContextOverflowError', () => {
  it('ends the message of an overflow found before sending with what to change', () => {
    const error = new ContextOverflowError({
      origin,
      model: 'llama3.2',
      source: 'estimate',
      promptTokens: 9000,
      contextWindow: 8192,
      trainedContextLength: 8192,
    });
    expect(error.message).toBe(
      'The prompt of about 9000 tokens (+0 reserved for the answer) does not fit the 8192-token context window of "llama3.2" (trained maximum 8192): shorten the prompt or the history, or set `tokens.onOverflow: \'allow\'` to send it anyway (the answer is then checked for truncation)',
    );
  });

  it('names the reserve among what to shorten when tokens are reserved for the answer', () => {
    const error = new ContextOverflowError({
      origin,
      model: 'm',
      source: 'estimate',
      promptTokens: 100,
      reserveOutputTokens: 50,
      contextWindow: 120,
    });
    expect(error.message).toMatch(
      /: shorten the prompt, the history or the tokens reserved for the answer, or set `tokens\.onOverflow: 'allow'`/,
    );
  });

  it("puts a provider's hint before the remedy, which still ends the message", () => {
    const error = new ContextOverflowError({
      origin,
      model: 'm',
      source: 'estimate',
      promptTokens: 100,
      contextWindow: 64,
      hint: '. 64 tokens is assumed',
    });
    expect(error.message).toMatch(
      /window of "m"\. 64 tokens is assumed; else shorten the prompt or the history, or set `tokens\.onOverflow: 'allow'` to send it anyway \(the answer is then checked for truncation\)$/,
    );
  });

  it('leaves the server refusal as the server said it', () => {
    const error = new ContextOverflowError({ origin, model: 'm', source: 'server' });
    expect(error.message).toBe(
      'The prompt is longer than the context window of "m" (server: context length exceeded)',
    );
  });
});
