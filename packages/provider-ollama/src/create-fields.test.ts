// `create()`'s fields of Ollama's newer CreateRequest (api/types.go): `renderer`, `parser`,
// `requires`, `draft_files` and `draft_quantize`, checked before sending as their siblings are and
// sent by Ollama's names.

import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './index';
import type { CreateRequest } from './types';

const { servers, providers } = closedAfterEach<TestServer>();

async function setup(): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer({
    'POST /api/create': (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ status: 'success' })}\n`);
    },
  });
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, retry: false });
  providers.push(provider);
  return { server, provider };
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable);
}

const creates = (server: TestServer) => server.requests.filter((r) => r.path === '/api/create');
const BASE = `sha256:${'a'.repeat(64)}`;
const DRAFT = `sha256-${'C'.repeat(64)}`;

describe('OllamaProvider.create with renderer, parser, requires and a draft model', () => {
  it('sends them by the names Ollama reads, draft digests as files are', async () => {
    const { server, provider } = await setup();
    await drain(
      provider.create({
        model: 'mine',
        files: { 'model.gguf': BASE },
        renderer: 'qwen3-coder',
        parser: 'qwen3-coder',
        requires: '0.14.0',
        draftFiles: { 'draft.gguf': DRAFT },
        draftQuantize: 'q8_0',
      }),
    );
    expect(creates(server)).toHaveLength(1);
    expect(creates(server)[0]!.json).toEqual({
      model: 'mine',
      files: { 'model.gguf': BASE },
      renderer: 'qwen3-coder',
      parser: 'qwen3-coder',
      requires: '0.14.0',
      draft_files: { 'draft.gguf': `sha256:${'c'.repeat(64)}` },
      draft_quantize: 'q8_0',
      stream: true,
    });
  });

  it('sends none of them when they are left out or undefined', async () => {
    const { server, provider } = await setup();
    await drain(
      provider.create({
        model: 'mine',
        from: 'llama3.2',
        renderer: undefined,
        parser: undefined,
        requires: undefined,
        draftFiles: undefined,
        draftQuantize: undefined,
      }),
    );
    expect(creates(server)[0]!.json).toEqual({ model: 'mine', from: 'llama3.2', stream: true });
  });

  it.each([
    [{ renderer: 5 }, TypeError, /^Expected `request\.renderer` to be a string/],
    [{ parser: ['x'] }, TypeError, /^Expected `request\.parser` to be a string/],
    [{ requires: 14 }, TypeError, /^Expected `request\.requires` to be a string/],
    [{ draftQuantize: 8 }, TypeError, /^Expected `request\.draftQuantize` to be a string/],
    [{ draftFiles: 'draft.gguf' }, TypeError, /request\.draftFiles/],
    [{ draftFiles: { 'd.gguf': 5 } }, TypeError, /request\.draftFiles\["d\.gguf"\]/],
    [{ draftFiles: { 'd.gguf': 'sha256:xyz' } }, RangeError, /request\.draftFiles\["d\.gguf"\]/],
    // Ollama's 400 `--draft-quantize requires a DRAFT model`, said before sending.
    [{ draftQuantize: 'q8_0' }, RangeError, /^Expected `request\.draftQuantize`.*`draftFiles`/],
    [{ draftQuantize: 'q8_0', draftFiles: {} }, RangeError, /request\.draftQuantize/],
    [{ draftFile: {} }, TypeError, /`request\.draftFile`: did you mean `request\.draftFiles`/],
  ])('refuses %j before sending', async (fields, type, message) => {
    const { server, provider } = await setup();
    const request = { model: 'q', from: 'llama3.2', ...fields } as unknown as CreateRequest;
    let error: unknown;
    try {
      provider.create(request);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect(creates(server)).toHaveLength(0);
  });
});
