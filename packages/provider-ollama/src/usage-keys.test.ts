import { describe, expect, it } from 'vitest';
import { ask, chatChunk, doneChunk, fixtureSetup, type Handler } from './__fixtures__/server';
import type { ChatResponse } from './types';

const { setup } = fixtureSetup();

/** The keys of `usage` that hold `undefined`: none, so a log or a `toEqual` shows what was said. */
const undefinedKeys = (usage: object) =>
  Object.entries(usage)
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);

/** A stream whose final chunk says `counts` (Ollama leaves `prompt_eval_count` out of some). */
const answering =
  (counts: Record<string, unknown>): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const { prompt_eval_count: _p, eval_count: _e, ...rest } = JSON.parse(doneChunk());
    res.end(chatChunk('Hi') + `${JSON.stringify({ ...rest, ...counts })}\n`);
  };

/** The same answer as one JSON document (`completeAs: 'whole'`). */
const answeringWhole =
  (counts: Record<string, unknown>): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    const { prompt_eval_count: _p, eval_count: _e, ...rest } = JSON.parse(doneChunk());
    res.end(JSON.stringify({ ...rest, message: { role: 'assistant', content: 'Hi' }, ...counts }));
  };

async function streamed(provider: Awaited<ReturnType<typeof setup>>['provider']) {
  let last: ChatResponse | undefined;
  for await (const chunk of provider.stream(ask())) if (chunk.response) last = chunk.response;
  return last!;
}

describe('answer.usage', () => {
  it('holds only the counts Ollama sent, streamed', async () => {
    const { provider } = await setup({ '/api/chat': answering({ eval_count: 3 }) });
    const answer = await streamed(provider);
    expect(undefinedKeys(answer.usage)).toEqual([]);
    expect(answer.usage).toStrictEqual({ completionTokens: 3 });
  });

  it('holds only the counts Ollama sent, read whole', async () => {
    const { provider } = await setup(
      { '/api/chat': answeringWhole({ prompt_eval_count: 5 }) },
      { completeAs: 'whole' },
    );
    const answer = await provider.complete(ask());
    expect(undefinedKeys(answer.usage)).toEqual([]);
    expect(answer.usage).toStrictEqual({ promptTokens: 5 });
  });

  it('holds all three when both counts are there, and none when neither is', async () => {
    const both = await setup({ '/api/chat': answering({ prompt_eval_count: 5, eval_count: 3 }) });
    expect((await both.provider.complete(ask())).usage).toStrictEqual({
      promptTokens: 5,
      completionTokens: 3,
      totalTokens: 8,
    });
    const none = await setup({ '/api/chat': answering({}) });
    expect((await none.provider.complete(ask())).usage).toStrictEqual({});
  });

  it('drops the key of a count no server can mean, with the total', async () => {
    const { provider } = await setup({
      '/api/chat': answering({ prompt_eval_count: 1e18, eval_count: 3 }),
    });
    const answer = await provider.complete(ask());
    expect(undefinedKeys(answer.usage)).toEqual([]);
    expect(answer.usage).toStrictEqual({ completionTokens: 3 });
  });

  it('of an embeddings answer is empty when Ollama counted nothing', async () => {
    const { provider } = await setup({
      '/api/embed': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ model: 'llama3.2', embeddings: [[0.6, 0.8]] }));
      },
    });
    const answer = await provider.embed({ model: 'llama3.2', input: 'a' });
    expect(answer.usage).toStrictEqual({});
  });
});
