// An error body sent with status 200 (an SSE error event, or a whole answer that is an error):
// the server's own failure before anything was produced is retried, as the same failure sent as a
// 5xx is; anything after output, or a client mistake, is not.
import { describe, expect, it } from 'vitest';
import { chunk, json, sse, streamOf } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { isOpenAIStreamError } from './errors';

const event = (error: Record<string, unknown>) => `data: ${JSON.stringify({ error })}\n\n`;
const serverError = event({
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
});

describe('an in-band server error before any output', () => {
  it('is retried by complete(), which then answers', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        sse([chunk({ role: 'assistant', content: '' }), serverError]),
        sse(streamOf('Blue', ' light.')),
      ],
    });
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ content: 'Blue light.', attempts: 2 });
    expect(chats(server)).toHaveLength(2);
  });

  it('is retried by stream() before the first chunk, and the caller sees one answer', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [sse([serverError]), sse(streamOf('Blue', ' light.'))],
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.map((c) => c.content).join('')).toBe('Blue light.');
    expect(chunks.at(-1)!.response).toMatchObject({ attempts: 2 });
    expect(chats(server)).toHaveLength(2);
  });

  it.each([
    ['an overload type', { message: 'Overloaded', type: 'overloaded_error' }],
    ['a 5xx code', { message: 'Internal error', type: 'InternalServerError', code: 500 }],
    ['a 503 code', { message: 'Unavailable', code: 503 }],
  ])('is retried when it names %s', async (_, error) => {
    const { server, provider } = await setup({
      '/chat/completions': [sse([event(error)]), sse(streamOf('ok'))],
    });
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'ok' });
    expect(chats(server)).toHaveLength(2);
  });

  it('is retried when a whole answer (completeAs: whole) is the error body', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': [
          json(200, { error: { message: 'The server had an error', type: 'server_error' } }),
          json(200, {
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-mini',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
            ],
          }),
        ],
      },
      { completeAs: 'whole' },
    );
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'ok', attempts: 2 });
    expect(chats(server)).toHaveLength(2);
  });

  it('ends the call retryable once the retries are spent', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse([serverError]) },
      { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'server-error', type: 'server_error', retryable: true });
    expect(chats(server)).toHaveLength(2);
  });
});

describe('an in-band error that is not retried', () => {
  it('is a client mistake (invalid_request_error) or an error without a type', async () => {
    for (const error of [
      { message: 'Invalid schema', type: 'invalid_request_error' },
      { message: 'something broke' },
    ]) {
      const { server, provider } = await setup({
        '/chat/completions': [sse([event(error)]), sse(streamOf('ok'))],
      });
      const failure = await provider.complete(ask()).catch((e: unknown) => e);
      expect(failure).toMatchObject({ name: 'OpenAIStreamError', retryable: false });
      expect(chats(server)).toHaveLength(1);
    }
  });

  it('came after the answer held reasoning, even in complete() where nothing reached the caller', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        sse([chunk({ role: 'assistant', content: '', reasoning_content: 'Hm.' }), serverError]),
        sse(streamOf('ok')),
      ],
    });
    const failure = await provider.complete(ask()).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      name: 'OpenAIStreamError',
      retryable: false,
      partial: { thinking: 'Hm.' },
    });
    expect(chats(server)).toHaveLength(1);
  });

  it('came after a chunk reached the caller of stream()', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        sse([chunk({ role: 'assistant', content: 'Bl' }), serverError]),
        sse(streamOf('ok')),
      ],
    });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const c of provider.stream(ask())) seen.push(c.content);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['Bl']);
    expect(failure).toMatchObject({ name: 'OpenAIStreamError', retryable: false });
    expect(chats(server)).toHaveLength(1);
  });
});

describe("an in-band error's strings", () => {
  it('are each kept to 500 characters, however long the server made them', async () => {
    const long = 'x'.repeat(200_000);
    const { provider } = await setup({
      '/chat/completions': sse([
        event({ message: long, type: `invalid_${long}`, param: `messages.${long}`, code: long }),
      ]),
    });
    const failure = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIStreamError(failure)).toBe(true);
    const { serverMessage, type, param, errorCode } = failure as Record<string, string>;
    for (const field of [serverMessage, type, param, errorCode]) expect(field).toHaveLength(500);
  });
});
