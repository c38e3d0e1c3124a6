import { describe, expect, it } from 'vitest';
import type { Handler } from './__fixtures__/server';
import { chunk, completion, DONE, json, sse, usageChunk } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { isOpenAIStreamError } from './errors';
import type { StreamChunk } from './types';

const KEY = 'sk-test-key-for-the-local-server';

/** Answers 200 with `body` under `contentType` (none when undefined). */
function answer(contentType: string | undefined, body: string): Handler {
  return (_req, res) => {
    res.writeHead(200, contentType === undefined ? {} : { 'content-type': contentType });
    res.end(body);
  };
}

/** Reads a stream, keeping what reached the caller before it failed. */
async function read(iterable: AsyncIterable<StreamChunk>) {
  const seen: StreamChunk[] = [];
  try {
    for await (const c of iterable) seen.push(c);
    return { seen, error: undefined };
  } catch (error) {
    return { seen, error };
  }
}

describe('OpenAIProvider.stream against an answer that is not server-sent events', () => {
  it('fails with an invalid-json OpenAIStreamError naming the HTML page, before yielding anything, without retrying', async () => {
    const page = `<!doctype html><html><head><title>Sign in</title></head><body>${KEY}</body></html>`;
    const { server, provider } = await setup({
      '/chat/completions': answer('text/html; charset=utf-8', page),
    });
    const { seen, error } = await read(provider.stream(ask()));
    expect(seen).toEqual([]);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_STREAM', reason: 'invalid-json' });
    const { message } = error as Error;
    expect(message).toContain('answered with a web page (text/html; charset=utf-8)');
    expect(message).toContain('is baseUrl');
    expect(message).toContain('Its title: "Sign in"');
    expect(message).not.toContain(KEY);
    expect(chats(server)).toHaveLength(1);
  });

  it('fails like complete() does: the same class, code and reason', async () => {
    const page = '<html><body>Captive portal</body></html>';
    const { provider } = await setup({ '/chat/completions': answer('text/html', page) });
    const streamed = (await read(provider.stream(ask()))).error as { code: string; reason: string };
    const completed = (await provider.complete(ask()).catch((e: unknown) => e)) as typeof streamed;
    expect({ code: streamed.code, reason: streamed.reason }).toEqual({
      code: completed.code,
      reason: completed.reason,
    });
  });

  it("throws the server's message for a JSON error body sent with a 200", async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, {
        error: { message: 'Upstream provider unavailable', code: 502 },
      }),
    });
    const { seen, error } = await read(provider.stream(ask()));
    expect(seen).toEqual([]);
    expect(error).toMatchObject({
      reason: 'server-error',
      serverMessage: 'Upstream provider unavailable',
      errorCode: '502',
    });
  });

  for (const method of ['stream', 'complete'] as const) {
    it(`counts a JSON error body sent with a 200 against the breaker (${method}())`, async () => {
      const { provider } = await setup(
        { '/chat/completions': json(200, { error: { message: 'Upstream provider unavailable' } }) },
        { retry: false, breaker: { failureThreshold: 1 } },
      );
      const error =
        method === 'stream'
          ? (await read(provider.stream(ask()))).error
          : await provider.complete(ask()).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'server-error' });
      expect(provider.breaker?.state).toBe('open');
    });
  }

  it('reads a whole chat.completion from a server that ignored stream: true, as one chunk then the response', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'Hello there' })),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.map((c) => [c.content, c.done])).toEqual([
      ['Hello there', false],
      ['', true],
    ]);
    expect(chunks[1]!.response).toMatchObject({ content: 'Hello there', finishReason: 'stop' });
  });

  it('still streams event by event when the content type is text/event-stream', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([
        chunk({ content: 'a' }),
        chunk({ content: 'b' }),
        chunk({}, 'stop'),
        usageChunk(),
        DONE,
      ]),
    });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.map((c) => c.content)).toEqual(['a', 'b', '']);
  });
});

describe('OpenAIProvider.health against a web page', () => {
  it('reports unhealthy and reachable, naming the page and keeping the key out, when baseUrl is a web UI', async () => {
    const page = `<!doctype html><html><head><title>Sign in</title></head><body>${KEY}</body></html>`;
    const { provider } = await setup({ '/models': answer('text/html', page) });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: true });
    expect(report.reasons[0]).toMatch(/^not .*'s API: .*answered with a web page \(text\/html\)/);
    expect(report.error).toContain('"Sign in"');
    expect(JSON.stringify(report)).not.toContain(KEY);
  });
});
