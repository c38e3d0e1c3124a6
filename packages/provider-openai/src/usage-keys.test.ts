import { describe, expect, it } from 'vitest';
import { completion, json, sse, streamOf, vectors } from './__fixtures__/server';
import { ask, setup } from './__fixtures__/setup';
import type { ChatResponse } from './types';

/** The keys of `usage` that hold `undefined`: none, so a log or a `toEqual` shows what was said. */
const undefinedKeys = (usage: object) =>
  Object.entries(usage)
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);

/** A usage with the counts only, no details: what many OpenAI-compatible servers send. */
const plain = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };

async function streamed(
  provider: { stream: (r: ReturnType<typeof ask>) => AsyncIterable<{ response?: unknown }> },
  request: ReturnType<typeof ask>,
): Promise<ChatResponse> {
  let last: unknown;
  for await (const chunk of provider.stream(request)) if (chunk.response) last = chunk.response;
  return last as ChatResponse;
}

describe('answer.usage', () => {
  it('holds only the counts the server sent, for an answer read whole', async () => {
    const { provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'x' }, { usage: plain })) },
      { completeAs: 'whole' },
    );
    const answer = await provider.complete(ask());
    expect(undefinedKeys(answer.usage)).toEqual([]);
    expect(answer.usage).toStrictEqual({ promptTokens: 7, completionTokens: 3, totalTokens: 10 });
  });

  it("holds only OpenAI's details it sent, for a streamed answer", async () => {
    const { provider } = await setup({ '/chat/completions': sse(streamOf('Hel', 'lo')) });
    const answer = await streamed(provider, ask());
    expect(undefinedKeys(answer.usage)).toEqual([]);
    expect(Object.keys(answer.usage).sort()).toEqual(
      [
        'promptTokens',
        'completionTokens',
        'totalTokens',
        'cachedPromptTokens',
        'promptAudioTokens',
        'reasoningTokens',
        'completionAudioTokens',
        'acceptedPredictionTokens',
        'rejectedPredictionTokens',
      ].sort(),
    );
  });

  it('is empty for an answer without usage', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'x' }, { usage: undefined })),
    });
    const answer = await provider.complete(ask());
    expect(answer.usage).toStrictEqual({});
  });

  it('of an embeddings answer holds only the counts the server sent', async () => {
    const { provider } = await setup({ '/embeddings': vectors });
    const answer = await provider.embed({ model: 'text-embedding-3-small', input: 'a' });
    expect(answer.usage).toStrictEqual({ promptTokens: 1 });
  });
});
