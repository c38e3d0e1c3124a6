// `finish_reason: "error"` (Mistral's FinishReason, and any OpenAI-compatible server's that sends
// it): the server failed partway through the answer. Its half answer is an in-band error, never a
// success returned and cached.
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, streamOf, usageChunk } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { isOpenAIStreamError } from './errors';

/** An event as Mistral writes it: no fingerprint, the usage in the finish event (JSON path). */
const mistralEvent = (delta: Record<string, unknown>, finish: string | null, usage?: object) =>
  `data: ${JSON.stringify({
    id: 'cmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'mistral-small-latest',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage === undefined ? {} : { usage }),
  })}\n\n`;

const halfAnswer = [
  mistralEvent({ role: 'assistant', content: '' }, null),
  mistralEvent({ content: 'The answer is' }, null),
  mistralEvent({ content: '' }, 'error', {
    prompt_tokens: 5,
    completion_tokens: 3,
    total_tokens: 8,
  }),
  DONE,
];

describe('finish_reason "error" after output', () => {
  it('is a server-error OpenAIStreamError carrying the half answer, not retried, not cached', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse(halfAnswer) },
      { preset: 'mistral', apiKey: 'k-test-aaaaaaaaaaaaaaaaaaaaaaa' },
    );
    const request = ask('q', { temperature: 0 });
    for (let call = 1; call <= 2; call++) {
      const failure = await provider.complete(request).catch((e: unknown) => e);
      expect(isOpenAIStreamError(failure)).toBe(true);
      expect(failure).toMatchObject({
        reason: 'server-error',
        retryable: false,
        partial: { content: 'The answer is' },
      });
      expect((failure as Error).message).toMatch(/Mistral .*finish_reason "error"/);
      // One request per call: never retried, and the second call is not served from a cache.
      expect(chats(server)).toHaveLength(call);
    }
  });

  it('fails stream() after the chunks that reached the caller (OpenAI-shaped events)', async () => {
    const { server, provider } = await setup({
      '/chat/completions': sse([
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Blue' }),
        chunk({}, 'error'),
        usageChunk(),
        DONE,
      ]),
    });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const c of provider.stream(ask())) seen.push(c.content);
    })().catch((e: unknown) => e);
    expect(seen.join('')).toBe('Blue');
    expect(failure).toMatchObject({
      name: 'OpenAIStreamError',
      reason: 'server-error',
      retryable: false,
      partial: { content: 'Blue' },
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('fails a whole answer (completeAs: whole) whose finish reason is "error"', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': json(
          200,
          completion({ content: 'The answer is' }, { usage: undefined }, 'error'),
        ),
      },
      { completeAs: 'whole' },
    );
    for (let call = 1; call <= 2; call++) {
      const failure = await provider.complete(ask()).catch((e: unknown) => e);
      expect(failure).toMatchObject({
        name: 'OpenAIStreamError',
        reason: 'server-error',
        retryable: false,
        partial: { content: 'The answer is' },
      });
      expect(chats(server)).toHaveLength(call);
    }
  });
});

describe('finish_reason "error" before any output', () => {
  it('is retried by complete(), which then answers', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        sse([chunk({ role: 'assistant', content: '' }), chunk({}, 'error'), usageChunk(), DONE]),
        sse(streamOf('Blue', ' light.')),
      ],
    });
    await expect(provider.complete(ask())).resolves.toMatchObject({
      content: 'Blue light.',
      finishReason: 'stop',
      attempts: 2,
    });
    expect(chats(server)).toHaveLength(2);
  });

  it('is retried by stream() and by a whole answer', async () => {
    const empty = completion({ content: '' }, {}, 'error');
    const { server, provider } = await setup(
      { '/chat/completions': [json(200, empty), json(200, completion({ content: 'ok' }))] },
      { completeAs: 'whole' },
    );
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'ok', attempts: 2 });
    expect(chats(server)).toHaveLength(2);

    const streamed = await setup({
      '/chat/completions': [
        sse([mistralEvent({ role: 'assistant', content: '' }, 'error'), DONE]),
        sse(streamOf('ok')),
      ],
    });
    const chunks = await collect(streamed.provider.stream(ask()));
    expect(chunks.map((c) => c.content).join('')).toBe('ok');
    expect(chats(streamed.server)).toHaveLength(2);
  });
});
