import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { fixtureSetup, type Handler, loadFixture, startServer } from './__fixtures__/server';
import { isOllamaStreamError } from './errors';
import { createOllamaProvider } from './provider';

const { providers, servers, setup } = fixtureSetup();

describe('OllamaProvider metadata', () => {
  it('calls the port OLLAMA_HOST names, or 11434 when it names none', async () => {
    const server = await startServer({ '/api/tags': loadFixture('04-tags.json') });
    servers.push(server);
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}/`,
      `:${server.port}`,
    ]) {
      vi.stubEnv('OLLAMA_HOST', host);
      try {
        const provider = createOllamaProvider({ retry: false });
        providers.push(provider);
        expect(provider.baseUrl).toMatch(new RegExp(`:${server.port}$`));
        await expect(provider.listModels()).resolves.toHaveLength(3);
      } finally {
        vi.unstubAllEnvs();
      }
    }
    vi.stubEnv('OLLAMA_HOST', '0.0.0.0');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://127.0.0.1:11434');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws a typed invalid-json OllamaStreamError when another service answers 200 with HTML', async () => {
    const html: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Open WebUI</title>');
    };
    const { provider } = await setup(
      { '/api/tags': html, '/api/version': html, '/api/embed': html },
      { retry: false },
    );
    for (const call of [
      () => provider.listModels(),
      () => provider.initialize(),
      () => provider.embed({ model: 'nomic-embed-text', input: 'x' }),
    ]) {
      const error = await call().catch((e) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json', code: 'X_PROVIDER_OLLAMA_STREAM' });
      expect(error.message).toContain('Open WebUI');
    }
    // Every call names the content type: initialize()'s probe as much as the request path.
    for (const call of [
      () => provider.listModels(),
      () => provider.initialize(),
      () => provider.embed({ model: 'nomic-embed-text', input: 'x' }),
    ]) {
      expect((await call().catch((e) => e)).message).toContain(
        'answered with a web page (text/html), not application/json',
      );
    }
  });

  it('lists models from /api/tags (fixture 04)', async () => {
    const { provider } = await setup({ '/api/tags': loadFixture('04-tags.json') });
    const models = await provider.listModels();
    expect(models.map((m) => m.name)).toEqual([
      'qwen2.5:7b',
      'nomic-embed-text:latest',
      'llama3.2:latest',
    ]);
    expect(models[1]).toMatchObject({
      family: 'nomic-bert',
      contextLength: 2048,
      capabilities: ['embedding'],
    });
  });

  it('reads the trained context length from /api/show once per model (fixture 05)', async () => {
    const { server, provider } = await setup({ '/api/show': loadFixture('05-show-llama3.2.json') });
    const [a, b] = await Promise.all([
      provider.modelInfo('llama3.2'),
      provider.modelInfo('llama3.2'),
    ]);
    expect(a).toBe(b);
    expect(a).toMatchObject({
      architecture: 'llama',
      family: 'llama',
      contextLength: 131072,
      capabilities: ['completion', 'tools'],
      parameterSize: '3.2B',
    });
    expect(a.parameters.stop).toEqual(['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>']);
    await provider.modelInfo('llama3.2');
    expect(server.requests).toHaveLength(1);
  });

  it('keeps fetching model info for other callers when one caller aborts', async () => {
    let release: (() => void) | undefined;
    const show = loadFixture('05-show-llama3.2.json');
    const { server, provider } = await setup({
      '/api/show': (_req, res) => {
        release = () => {
          res.writeHead(200, show.response.headers);
          res.end(show.response.body);
        };
      },
    });
    const controller = new AbortController();
    const first = provider.modelInfo('llama3.2', { signal: controller.signal }).catch((e) => e);
    const second = provider.modelInfo('llama3.2');
    await until(() => release !== undefined);
    const reason = new Error('first caller left');
    controller.abort(reason);
    expect(await first).toBe(reason);
    release!();
    await expect(second).resolves.toMatchObject({ contextLength: 131072 });
    expect(server.requests.filter((r) => r.path === '/api/show')).toHaveLength(1);
  });

  it('initialize returns the version and the models', async () => {
    const { provider } = await setup({
      '/api/version': loadFixture('07-version.json'),
      '/api/tags': loadFixture('04-tags.json'),
    });
    const result = await provider.initialize();
    expect(result.version).toBe('0.32.15');
    expect(result.models).toHaveLength(3);
    expect(provider.models).toHaveLength(3);
  });

  it('embeds two inputs (fixture 17)', async () => {
    const { provider } = await setup({ '/api/embed': loadFixture('17-embed.json') });
    const fixture = loadFixture('17-embed.json');
    const result = await provider.embed({
      model: 'nomic-embed-text',
      input: (fixture.request.body as { input: string[] }).input,
    });
    expect(result.embeddings).toHaveLength(2);
    expect(result.embeddings[0]).toHaveLength(768);
    expect(result.model).toBe('nomic-embed-text');
  });
});
