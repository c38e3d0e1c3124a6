import { describe, expect, it } from 'vitest';
import { contextOverflowCounts } from './context-overflow-counts';

describe('contextOverflowCounts', () => {
  it.each([
    [
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.",
      { contextWindow: 8192, promptTokens: 9000, reserveOutputTokens: undefined },
    ],
    [
      "This model's maximum context length is 4097 tokens, however you requested 4162 tokens (3162 in your prompt; 1000 for the completion). Please reduce your prompt; or completion length.",
      { contextWindow: 4097, promptTokens: 3162, reserveOutputTokens: 1000 },
    ],
    [
      "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens (1100 in the messages, 1000 in the completion).",
      { contextWindow: 2048, promptTokens: 1100, reserveOutputTokens: 1000 },
    ],
    [
      "This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens.",
      { contextWindow: 32768, promptTokens: 40000, reserveOutputTokens: undefined },
    ],
    [
      'request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it',
      { contextWindow: 8192, promptTokens: 9000, reserveOutputTokens: undefined },
    ],
    [
      "input length (9000 tokens) exceeds the model's maximum context length (8192 tokens)",
      { contextWindow: 8192, promptTokens: 9000, reserveOutputTokens: undefined },
    ],
    [
      'The input token count (132478) exceeds the maximum number of tokens allowed (131072).',
      { contextWindow: 131072, promptTokens: 132478, reserveOutputTokens: undefined },
    ],
    [
      'Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length',
      { contextWindow: 32768, promptTokens: 40000, reserveOutputTokens: undefined },
    ],
    [
      'prompt is too long: 208310 tokens > 200000 maximum',
      { contextWindow: 200000, promptTokens: 208310, reserveOutputTokens: undefined },
    ],
  ])('reads the window and the prompt of %j', (text, counts) => {
    expect(contextOverflowCounts(text)).toEqual(counts);
  });

  it.each([
    'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length',
    'the input length exceeds the context length',
    'context length exceeded',
    "This model's maximum context length is 0 tokens",
  ])('leaves both unknown when the text names no count: %j', (text) => {
    expect(contextOverflowCounts(text)).toEqual({
      contextWindow: undefined,
      promptTokens: undefined,
      reserveOutputTokens: undefined,
    });
  });

  it('does not take a number named for something else', () => {
    expect(
      contextOverflowCounts('qwen2.5-72b: 400 tokens exceeds the available context size'),
    ).toEqual({
      contextWindow: undefined,
      promptTokens: undefined,
      reserveOutputTokens: undefined,
    });
  });
});
