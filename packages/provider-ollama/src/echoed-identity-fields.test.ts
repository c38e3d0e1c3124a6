// Ollama behind a proxy that takes a bearer key, echoing it into the answer's `created_at` and a
// tool call's `id` and `name`: the answer, its chunks, the events and the cache get none of it,
// and a cache shared with a provider holding another key hands that provider none of it either.
import { expectNoSecret, type Handler, startRouteServer, watchOutputs } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatChunk, doneChunk } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const KEY_A = 'sk-proj-AAAAaaaa1111bbbbCCCC2222';
const KEY_B = 'sk-proj-BBBBzzzz9999yyyyXXXX8888';

const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const ask: ChatRequest = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'weather?' }],
  tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
};

/** `/api/chat` with the request's key in `created_at` and in the tool call's id and name. */
const echoing: Handler = (req, res, received) => {
  const key = String(req.headers.authorization).slice('Bearer '.length);
  const call = { id: key, function: { index: 0, name: key, arguments: { city: 'Oslo' } } };
  const message = { role: 'assistant', content: '', tool_calls: [call] };
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  if (received.json?.stream === false) {
    res.end(doneChunk({ created_at: key, message }));
    return;
  }
  res.write(chatChunk('', { created_at: key, message }));
  res.end(doneChunk({ created_at: key }));
};

async function serve() {
  const server = await startRouteServer({ '/api/chat': echoing });
  closers.push(() => server.close());
  return server;
}

function provider(options: Parameters<typeof createOllamaProvider>[0]): OllamaProvider {
  const created = createOllamaProvider({ tokens: false, retry: false, ...options });
  closers.push(() => created.close());
  return created;
}

/** Every chunk of a stream, its answer last. */
async function streamed(p: OllamaProvider) {
  const chunks: unknown[] = [];
  for await (const piece of p.stream(ask)) chunks.push(piece);
  return chunks;
}
const buffered = async (p: OllamaProvider) => [await p.complete(ask)];

describe('a server echoing the key into `created_at` and the tool call fields', () => {
  it.each([
    ['buffered', buffered],
    ['streamed', streamed],
  ])('%s: the answer, its chunks and the events carry none of it', async (_, call) => {
    const server = await serve();
    const p = provider({ baseUrl: server.url, apiKey: KEY_A, cache: false });
    const outputs = watchOutputs(p, 'provider-ollama');
    const seen = await call(p);
    outputs.stop();
    const last = seen.at(-1) as Record<string, unknown>;
    expect((last.response ?? last) as object).toMatchObject({
      createdAt: '[redacted]',
      toolCalls: [{ id: '[redacted]', name: '[redacted]', arguments: { city: 'Oslo' } }],
    });
    expectNoSecret(JSON.stringify([seen, outputs.seen, p.stats()]), KEY_A);
  });

  it('scrubs a key a key callback handed out', async () => {
    const server = await serve();
    const keys: string[] = [];
    const getApiKey = () => {
      const key = `sk-proj-callback-${keys.length}-Zq7Xv9Lm3Pw8`;
      keys.push(key);
      return key;
    };
    const p = provider({ baseUrl: server.url, getApiKey, cache: false });
    const seen = [...(await buffered(p)), ...(await streamed(p))];
    expect(keys).toHaveLength(2);
    for (const key of keys) expectNoSecret(JSON.stringify(seen), key);
  });

  // `aggressive`: the default strategy caches no request that offers tools
  it.each([
    ['buffered', buffered],
    ['streamed', streamed],
  ])('%s: a cache shared with another key hands that key none of it', async (_, call) => {
    const server = await serve();
    const a = provider({
      baseUrl: server.url,
      apiKey: KEY_A,
      cache: { maxEntries: 10, strategy: 'aggressive' },
    });
    const b = provider({ baseUrl: server.url, apiKey: KEY_B, cache: a.cache! });
    const first = await call(a);
    const replayed = await call(b);
    expect(server.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
    const last = replayed.at(-1) as Record<string, unknown>;
    expect((last.response ?? last) as object).toMatchObject({ cached: true });
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    expectNoSecret(JSON.stringify(first), KEY_A);
  });
});
