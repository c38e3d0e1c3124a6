import { describe, expect, it } from 'vitest';
import { completion, DONE, hello, json, sse, streamOf, usage } from './__fixtures__/server';
import { ask, setup } from './__fixtures__/setup';
import { isOpenAIStreamError, ProviderClosedError } from './errors';
import { createOpenAIProvider } from './provider';

describe('OpenAIProvider lifecycle', () => {
  it('rejects calls after close() with ProviderClosedError, and await using closes it', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    {
      await using scoped = createOpenAIProvider({ baseUrl: provider.baseUrl });
      expect(scoped.baseUrl).toBe(provider.baseUrl);
    }
    await provider.close();
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderClosedError);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_CLOSED' });
  });

  it('streams after the answer ended are not read, and the stream stays usable', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([...streamOf('a'), 'data: {"error":{"message":"late"}}\n\n', DONE]),
    });
    const chunks: string[] = [];
    for await (const chunk of provider.stream(ask())) chunks.push(chunk.content);
    expect(chunks.join('')).toBe('a');
  });

  it('throws a typed invalid-json error when another service answers 200 with HTML', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Login</title>');
      },
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    // It says what came back and where to look, not only that it was not JSON.
    expect((error as Error).message).toContain('answered with a web page (text/html)');
    expect((error as Error).message).toContain('is baseUrl');
    expect((error as Error).message).toContain('Its title: "Login"');
  });

  it('names an HTML page sent under another content type, and points at baseUrl', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<!doctype html><title>Login</title>');
      },
    });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    expect((error as Error).message).toContain('HTML or XML document, not a chat completion');
    expect((error as Error).message).toContain('baseUrl');
    expect((error as Error).message).toContain('<!doctype html><title>Login</title>');
  });

  it('sums usage across calls', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'x' }, { usage: usage(5, 2) })),
    });
    await provider.complete(ask());
    await provider.complete(ask());
    expect(provider.stats()).toMatchObject({ promptTokens: 10, completionTokens: 4 });
  });
});
