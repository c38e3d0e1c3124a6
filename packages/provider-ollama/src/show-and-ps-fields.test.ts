// `/api/show`'s `verbose` and `requires`, and what `/api/ps` says of each loaded model besides its
// memory and window (its `model`, `digest` and `details`), as Ollama's api/types.go names them.

import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, type Handler, startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './index';

const { servers, providers } = closedAfterEach<TestServer>();

async function setup(
  routes: Record<string, Handler>,
): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, retry: false });
  providers.push(provider);
  return { server, provider };
}

const json =
  (body: unknown): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

const SHOW = {
  parameters: 'num_ctx 8192',
  details: { family: 'qwen3', parameter_size: '30.5B', quantization_level: 'Q4_K_M' },
  model_info: { 'general.architecture': 'qwen3moe', 'qwen3moe.context_length': 262_144 },
  capabilities: ['completion', 'tools'],
  modified_at: '2026-08-20T10:00:00Z',
};

const shows = (server: TestServer) =>
  server.requests.filter((r) => r.path === '/api/show').map((r) => r.json);

describe('OllamaProvider.show', () => {
  it('sends verbose: true when asked, and nothing of it otherwise', async () => {
    const { server, provider } = await setup({ '/api/show': json(SHOW) });
    await provider.show('qwen3:30b', { verbose: true });
    await provider.show('qwen3:30b');
    await provider.show('qwen3:30b', { verbose: false });
    await provider.show('qwen3:30b', { verbose: undefined });
    expect(shows(server)).toEqual([
      { model: 'qwen3:30b', verbose: true },
      { model: 'qwen3:30b' },
      { model: 'qwen3:30b' },
      { model: 'qwen3:30b' },
    ]);
  });

  it.each([
    [{ verbose: 'yes' }, /^Expected `options\.verbose` to be a boolean/],
    [{ verbsoe: true }, /`options\.verbsoe`: did you mean `options\.verbose`/],
  ])('refuses %j with a TypeError before sending', async (options, message) => {
    const { server, provider } = await setup({ '/api/show': json(SHOW) });
    const error = await provider
      .show('qwen3:30b', options as { verbose?: boolean })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(shows(server)).toHaveLength(0);
  });
});

describe('OllamaProvider.modelInfo', () => {
  it('reads requires, the oldest Ollama version the model runs on', async () => {
    const { provider } = await setup({
      '/api/show': (req, res, received) =>
        json(received.json?.model === 'new' ? { ...SHOW, requires: '0.14.0' } : SHOW)(
          req,
          res,
          received,
        ),
    });
    expect((await provider.modelInfo('new')).requires).toBe('0.14.0');
    expect((await provider.modelInfo('old')).requires).toBeUndefined();
  });
});

describe('OllamaProvider.ps', () => {
  it("reads each loaded model's model, digest and details", async () => {
    const { provider } = await setup({
      '/api/ps': json({
        models: [
          {
            name: 'qwen3:30b',
            model: 'qwen3:30b',
            size: 19_000_000_000,
            digest: 'e50831eb2d91',
            details: {
              parent_model: '',
              format: 'gguf',
              family: 'qwen3moe',
              families: ['qwen3moe'],
              parameter_size: '30.5B',
              quantization_level: 'Q4_K_M',
            },
            expires_at: '2026-08-24T09:20:02Z',
            size_vram: 19_000_000_000,
            context_length: 8192,
          },
          { name: 'old-server-entry', size: 1 },
        ],
      }),
    });
    expect(await provider.ps()).toEqual([
      {
        name: 'qwen3:30b',
        model: 'qwen3:30b',
        digest: 'e50831eb2d91',
        family: 'qwen3moe',
        families: ['qwen3moe'],
        parameterSize: '30.5B',
        quantizationLevel: 'Q4_K_M',
        size: 19_000_000_000,
        sizeVram: 19_000_000_000,
        contextLength: 8192,
        expiresAt: '2026-08-24T09:20:02Z',
      },
      {
        name: 'old-server-entry',
        model: 'old-server-entry',
        digest: undefined,
        family: undefined,
        families: undefined,
        parameterSize: undefined,
        quantizationLevel: undefined,
        size: 1,
        sizeVram: undefined,
        contextLength: undefined,
        expiresAt: undefined,
      },
    ]);
  });
});
