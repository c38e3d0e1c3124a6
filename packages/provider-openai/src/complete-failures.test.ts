import { describe, expect, it, vi } from 'vitest';
import { chunk, hello, json, until } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { isContextOverflowError, isOpenAIConnectionError, isOpenAITimeoutError } from './errors';
import { createOpenAIProvider } from './provider';

describe('OpenAIProvider.complete', () => {
  it('bounds a streamed complete() by the first-token deadline, not only the total one', async () => {
    const { provider } = await setup(
      { '/chat/completions': () => new Promise<void>(() => {}) },
      { timeouts: { firstTokenMs: 150, totalMs: 60_000 }, retry: { retries: 0 } },
    );
    await expect(provider.complete(ask())).rejects.toMatchObject({
      kind: 'timeout',
      timeout: 'firstToken',
    });
  });

  it('rejects with the signal reason and closes the connection when aborted', async () => {
    const { server, provider } = await setup({ '/chat/completions': () => {} });
    const controller = new AbortController();
    const pending = provider.complete(ask('Hi', { signal: controller.signal }));
    await until(() => chats(server).length === 1);
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
    expect(provider.stats()).toMatchObject({ inFlight: 0 });
  });

  it('throws OpenAITimeoutError total when the whole call exceeds totalMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      { '/chat/completions': () => {} },
      { timeouts: { totalMs: 30_000 } },
    );
    const pending = provider.complete(ask()).catch((e: unknown) => e);
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(30_000);
    const error = await pending;
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_TIMEOUT', timeout: 'total' });
  });

  it('gives the total timeout of a complete() the chunks that had arrived', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'Half an ' }));
          res.write(chunk({ content: 'answer' }));
          // then silence: the total deadline ends the call
        },
      },
      { timeouts: { totalMs: 500 }, retry: { retries: 0 } },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      timeout: 'total',
      partial: { content: 'Half an answer', chunks: 2 },
    });
  });

  it('throws OpenAIConnectionError after retrying when nothing listens', async () => {
    const provider = createOpenAIProvider({
      baseUrl: 'http://127.0.0.1:9/v1',
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      breaker: false,
    });
    try {
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(isOpenAIConnectionError(error)).toBe(true);
      expect(provider.stats().attempts).toBe(3);
    } finally {
      await provider.close();
    }
  });

  it('refuses a prompt that cannot fit a known model before sending anything', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    // gpt-4 has an 8,192-token window in @x/tokens' table, and is counted exactly.
    const error = await provider
      .complete({ ...ask('word '.repeat(9_000)), model: 'gpt-4' })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_CONTEXT_OVERFLOW',
      source: 'estimate',
      contextWindow: 8_192,
    });
    expect(chats(server)).toHaveLength(0);
  });

  it('checks windows given as contextWindows and those /models lists', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': hello,
        '/models': json(200, {
          object: 'list',
          data: [
            { id: 'local-llama', object: 'model', created: 1, owned_by: 'vllm', max_model_len: 64 },
          ],
        }),
      },
      { contextWindows: { 'tiny-model': 32 } },
    );
    const long = 'many words in this prompt '.repeat(20);
    await expect(provider.complete({ ...ask(long), model: 'tiny-model' })).rejects.toMatchObject({
      contextWindow: 32,
    });
    await provider.complete({ ...ask(long), model: 'local-llama' });
    expect(await provider.listModels()).toEqual([
      { id: 'local-llama', ownedBy: 'vllm', created: 1, contextLength: 64 },
    ]);
    await expect(provider.complete({ ...ask(long), model: 'local-llama' })).rejects.toMatchObject({
      contextWindow: 64,
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('throws TypeError naming the closest key for an unknown request key, before sending', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    await expect(provider.complete({ ...ask(), max_tokens: 5 } as never)).rejects.toThrow(
      /Unknown option `request.max_tokens`: did you mean `request.maxTokens`\?/,
    );
    await expect(
      provider.complete({
        ...ask(),
        messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }],
      } as never),
    ).rejects.toThrow(/`request.messages\[0\].tool_call_id`/);
    await expect(provider.complete(ask('x', { temperature: -1 }))).rejects.toThrow(RangeError);
    expect(chats(server)).toHaveLength(0);
  });
});
