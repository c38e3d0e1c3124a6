import { describe, expect, expectTypeOf, it } from 'vitest';
import { type BaseChatResponse, type StreamChunk, usageOf } from './types';

describe('usageOf', () => {
  it('sums the total when both counts are known, and leaves it undefined otherwise', () => {
    expect(usageOf(3, 4)).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(usageOf(3, undefined)).toEqual({
      promptTokens: 3,
      completionTokens: undefined,
      totalTokens: undefined,
    });
  });
});

describe('StreamChunk', () => {
  it('narrows on done: the last item has its response, the others none', () => {
    const last: StreamChunk = {
      content: '',
      thinking: undefined,
      toolCalls: undefined,
      done: true,
      response: { model: 'm' } as BaseChatResponse,
    };
    const read = (chunk: StreamChunk): string | undefined => {
      if (chunk.done) {
        expectTypeOf(chunk.response).toEqualTypeOf<BaseChatResponse>();
        return chunk.response.model;
      }
      expectTypeOf(chunk.response).toEqualTypeOf<undefined>();
      return undefined;
    };
    expect(read(last)).toBe('m');
  });
});
