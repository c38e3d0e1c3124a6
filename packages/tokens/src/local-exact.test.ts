import { describe, expect, it } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { fitsContext } from './context';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';

// gpt-oss has an exact tokenizer (o200k_base), but Ollama frames its chat with its own template
// (harmony, with a system block of its own), not OpenAI's 3 tokens per message and 3 to prime.
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name three rivers in Europe, one line each.' },
];

describe('estimateTokens of a local model with an encoding', () => {
  it('counts the text exactly but reports the framing as an estimate with a margin', () => {
    const estimate = estimateTokens(messages, { model: 'gpt-oss:20b' });
    expect(estimate.tokens).toBe(countChatTokens(messages, { model: 'gpt-oss:20b' }));
    expect(estimate.method).toBe('heuristic');
    expect(estimate.errorMargin).toBeGreaterThan(0);
    expect(estimate.errorMargin).toBeLessThanOrEqual(1);
    const text = estimateTokens('The Danube, the Rhine and the Elbe.', { model: 'gpt-oss' });
    expect(text).toMatchObject({ method: 'heuristic', overheadTokens: 0 });
    expect(text.tokens).toBe(
      countTokens('The Danube, the Rhine and the Elbe.', { model: 'gpt-oss' }),
    );
  });

  it('uses what the calibrator learned about the server once it is ready', () => {
    const calibrator = createCalibrator();
    // Prompts of several sizes, each counted by the server 56 tokens above OpenAI's framing.
    for (const words of [5, 20, 60, 150, 400]) {
      const input = [{ role: 'user', content: 'river '.repeat(words) }];
      const actualTokens = countChatTokens(input, { model: 'gpt-oss:20b' }) + 56;
      expect(calibrator.observe({ model: 'gpt-oss:20b', input, actualTokens })).toBe(true);
    }
    expect(calibrator.get('gpt-oss:20b')).toMatchObject({ overheadTokens: 56, scale: 1 });
    const exact = countChatTokens(messages, { model: 'gpt-oss:20b' });
    const estimate = estimateTokens(messages, { model: 'gpt-oss:20b', calibrator });
    expect(estimate).toMatchObject({
      method: 'calibrated',
      tokens: exact + 56,
      overheadTokens: 56,
    });
    expect(estimate.errorMargin).toBeGreaterThan(0);
  });

  it('keeps a margin in fitsContext, while hosted OpenAI models stay exact', () => {
    const local = fitsContext(messages, { model: 'gpt-oss:20b', contextWindow: 4_096 });
    expect(local.method).not.toBe('exact');
    expect(local.checkedPromptTokens).toBeGreaterThan(local.promptTokens);
    expect(estimateTokens(messages, { model: 'gpt-4o' })).toMatchObject({
      method: 'exact',
      errorMargin: 0,
    });
    expect(estimateTokens(messages, { model: 'openai/gpt-oss-120b' }).method).toBe('exact');
  });
});
