// `llama3.2:local` names the local llama3.2: Ollama 0.17.6+ strips the `:local` source suffix
// before resolving the name (internal/modelref), so `/api/ps` lists `llama3.2:latest`. A `:cloud`
// model is a remote one, another model than the local one of the same name.

import type { ServerResponse } from 'node:http';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closedAfterEach,
  type Handler,
  loadFixture,
  startServer,
  type TestServer,
} from './__fixtures__/server';
import { isEmbeddingDimensionsError } from './embedding-dimensions-error';
import { createOllamaProvider } from './index';
import { modelKey } from './wire/models';

const { servers, providers } = closedAfterEach<TestServer | OllamaSim>();

const json =
  (body: unknown): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

const chatAnswer = json({
  model: 'llama3.2:local',
  created_at: '2026-08-24T09:15:02.368321167Z',
  message: { role: 'assistant', content: 'ok' },
  done: true,
  done_reason: 'stop',
  prompt_eval_count: 10,
  eval_count: 1,
});

const words = (n: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 5));

describe('modelKey', () => {
  it.each([
    ['llama3.2:local', 'llama3.2:latest'],
    ['llama3.2:LOCAL', 'llama3.2'],
    ['llama3.2:1b:local', 'llama3.2:1b'],
    ['Me/Mine:local', 'registry.ollama.ai/me/mine:latest'],
    ['registry.example.com:5000/me/mine:local', 'registry.example.com:5000/me/mine:latest'],
  ])('reads %s as %s', (a, b) => {
    expect(modelKey(a)).toBe(modelKey(b));
  });

  it.each([
    ['gpt-oss:20b:cloud', 'gpt-oss:20b'],
    ['gpt-oss:cloud', 'gpt-oss:latest'],
    ['gpt-oss:20b-cloud', 'gpt-oss:20b'],
    ['gpt-oss:20b-cloud', 'gpt-oss:20b:local'],
    ['mine:locale', 'mine:latest'],
  ])('keeps %s apart from %s', (a, b) => {
    expect(modelKey(a)).not.toBe(modelKey(b));
  });

  it('leaves a `-cloud` tag and a `local` namespace or host as they are', () => {
    expect(modelKey('gpt-oss:20b-cloud')).toBe('registry.ollama.ai/library/gpt-oss:20b-cloud');
    expect(modelKey('local/mine')).toBe('registry.ollama.ai/local/mine:latest');
    expect(modelKey('local:5000/me/mine')).toBe('local:5000/me/mine:latest');
  });

  it('gives any name with `:local` the key of the name without it', () => {
    const part = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
    fc.assert(
      fc.property(
        fc.option(part, { nil: undefined }),
        part,
        fc.option(
          part.filter((t) => t !== 'local'),
          { nil: undefined },
        ),
        (namespace, model, tag) => {
          const name = `${namespace === undefined ? '' : `${namespace}/`}${model}${tag === undefined ? '' : `:${tag}`}`;
          expect(modelKey(`${name}:local`)).toBe(modelKey(name));
          expect(modelKey(`${name}:Local`)).toBe(modelKey(name));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a model asked for with `:local`', () => {
  it('is planned with the window /api/ps shows for its plain name: no num_ctx sent', async () => {
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      '/api/ps': json({
        models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest', context_length: 16_384 }],
      }),
      '/api/chat': chatAnswer,
    });
    servers.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url, retry: false });
    providers.push(provider);
    // About 6,000 tokens: more than the 4,096 assumed of a model not seen loaded, within the
    // 16,384 the server runs it with.
    const answer = await provider.complete({
      model: 'llama3.2:local',
      messages: [{ role: 'user', content: words(4_500) }],
    });
    expect(answer.truncated).toBe(false);
    const chats = server.requests.filter((r) => r.path === '/api/chat');
    expect(chats).toHaveLength(1);
    const body = chats[0]!.json as { model: string; options?: { num_ctx?: number } };
    expect(body.model).toBe('llama3.2:local');
    expect(body.options?.num_ctx).toBeUndefined();
    expect(provider.stats().contextRaises).toBe(0);
  });

  it('has its /api/show info forgotten when the plain name is deleted', async () => {
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      'DELETE /api/delete': json({}),
    });
    servers.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url, retry: false });
    providers.push(provider);
    const shows = () => server.requests.filter((r) => r.path === '/api/show').length;
    await provider.modelInfo('llama3.2:local');
    await provider.modelInfo('llama3.2:local');
    expect(shows()).toBe(1);
    await provider.deleteModel('llama3.2');
    await provider.modelInfo('llama3.2:local');
    expect(shows()).toBe(2);
  });

  it('shares the embedding length learnt of its plain name: too many dimensions refused unsent', async () => {
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    servers.push(sim);
    const provider = createOllamaProvider({ baseUrl: sim.url });
    providers.push(provider);
    const embeds = () => sim.requests.filter((r) => r.path === '/api/embed').length;
    const sent = await provider
      .embed({ model: 'nomic-embed-text', input: 'hi', dimensions: 4096 })
      .catch((e: unknown) => e);
    expect(sent).toMatchObject({ sent: true, embeddingLength: 768 });
    expect(embeds()).toBe(1);
    const refused = await provider
      .embed({ model: 'nomic-embed-text:local', input: 'hi', dimensions: 4096 })
      .catch((e: unknown) => e);
    expect(isEmbeddingDimensionsError(refused)).toBe(true);
    expect(refused).toMatchObject({ sent: false, embeddingLength: 768 });
    expect(embeds()).toBe(1);
  });
});
