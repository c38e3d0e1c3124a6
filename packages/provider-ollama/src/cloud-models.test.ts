// Cloud models (a `-cloud` or `:cloud` name, or a model whose /api/show names a `remote_host` and
// `remote_model`) run on ollama.com at their trained maximum: the provider checks prompts against
// that window, sends no num_ctx to size them, never looks for them in /api/ps, and keeps the
// remote fields of /api/show, /api/tags and the answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import { isContextOverflowError } from './errors';
import { createOllamaProvider, type OllamaProvider, type OllamaProviderOptions } from './index';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const REMOTE = { remote_model: 'gpt-oss:120b', remote_host: 'https://ollama.com:443' };

const json =
  (body: unknown) =>
  (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

/** A cloud stub's /api/show: a 131,072-token model, and the remote fields when `remote`. */
const show = (remote: boolean) =>
  json({
    ...(remote ? REMOTE : {}),
    details: { family: 'gptoss' },
    model_info: { 'general.architecture': 'gptoss', 'gptoss.context_length': 131_072 },
    capabilities: ['completion', 'tools', 'thinking'],
  });

/** One chat answer, whole, with the remote fields of a cloud model's answer. */
const chat = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.end(
    `${JSON.stringify({
      model: 'gpt-oss:120b-cloud',
      ...REMOTE,
      created_at: '2026-08-24T09:15:02.4Z',
      message: { role: 'assistant', content: 'ok' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 6000,
      eval_count: 1,
    })}\n`,
  );
};

async function setup(
  remote: boolean,
  options: OllamaProviderOptions = {},
): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer({
    '/api/show': show(remote),
    '/api/ps': json({ models: [] }),
    '/api/tags': json({
      models: [{ name: 'gpt-oss:120b-cloud', model: 'gpt-oss:120b-cloud', ...REMOTE }],
    }),
    '/api/chat': chat,
  });
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, cache: false, ...options });
  providers.push(provider);
  return { server, provider };
}

/** About 6,000 tokens: more than the 4,096 assumed for a local model the server has not loaded. */
const long = 'word '.repeat(6000);
const sentOptions = (server: TestServer) =>
  server.requests
    .filter((r) => r.path === '/api/chat')
    .map((r) => (r.json as { options?: { num_ctx?: number } }).options);

describe('a cloud model', () => {
  it.each([
    ['named `-cloud`', 'gpt-oss:120b-cloud', false],
    ['named `:cloud`', 'gpt-oss:120b:cloud', false],
    ['whose /api/show names its remote host', 'my-remote', true],
  ])('%s gets no num_ctx for a prompt over 4,096 tokens', async (_what, model, remote) => {
    const { server, provider } = await setup(remote);
    const answer = await provider.complete({ model, messages: [{ role: 'user', content: long }] });
    expect(server.requests.find((r) => r.path === '/api/chat')?.json).toMatchObject({ model });
    expect(sentOptions(server)).toEqual([undefined]);
    expect(answer.numCtx).toBeUndefined();
    expect(answer.truncated).toBe(false);
    expect(provider.stats().contextRaises).toBe(0);
  });

  it('is checked against its trained maximum, not 4,096 (onOverflow: error)', async () => {
    const { server, provider } = await setup(false, { tokens: { onOverflow: 'error' } });
    const model = 'gpt-oss:120b-cloud';
    await provider.complete({ model, messages: [{ role: 'user', content: long }] });
    expect(sentOptions(server)).toEqual([undefined]);
    const tooLong = await provider
      .complete({ model, messages: [{ role: 'user', content: 'word '.repeat(140_000) }] })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(tooLong)).toBe(true);
    expect(tooLong).toMatchObject({ contextWindow: 131_072, source: 'estimate' });
    expect(sentOptions(server)).toHaveLength(1);
  });

  it('is not looked for in /api/ps when its name says it is a cloud model', async () => {
    const { server, provider } = await setup(false);
    await provider.complete({
      model: 'gpt-oss:120b-cloud',
      messages: [{ role: 'user', content: long }],
    });
    expect(server.requests.filter((r) => r.path === '/api/ps')).toHaveLength(0);
  });

  it('keeps remote_model and remote_host on modelInfo, listModels and the answer', async () => {
    const { provider } = await setup(true);
    expect(await provider.modelInfo('gpt-oss:120b-cloud')).toMatchObject({
      remoteModel: 'gpt-oss:120b',
      remoteHost: 'https://ollama.com:443',
      contextLength: 131_072,
    });
    expect((await provider.listModels())[0]).toMatchObject({
      remoteModel: 'gpt-oss:120b',
      remoteHost: 'https://ollama.com:443',
    });
    const answer = await provider.complete({
      model: 'gpt-oss:120b-cloud',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer).toMatchObject({
      remoteModel: 'gpt-oss:120b',
      remoteHost: 'https://ollama.com:443',
    });
  });

  it('still gets the num_ctx tokens.numCtx pins', async () => {
    const { server, provider } = await setup(true, { tokens: { numCtx: 8192 } });
    await provider.complete({
      model: 'gpt-oss:120b-cloud',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(sentOptions(server)).toEqual([{ num_ctx: 8192 }]);
  });
});

describe('a local model', () => {
  it('has no remote fields', async () => {
    const { provider } = await setup(false);
    const info = await provider.modelInfo('llama3.2');
    expect(info.remoteModel).toBeUndefined();
    expect(info.remoteHost).toBeUndefined();
  });
});
