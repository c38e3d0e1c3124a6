// Two providers with keys of their own sharing one cache, before one server that echoes the
// request's key into its answer (its text, thinking and a tool call's arguments): the caller of
// the provider whose key it is gets the answer as it came, the other provider a replay without it.
import { createCache } from '@x/cache';
import { expectNoSecret } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import {
  ask,
  chatChunk,
  closedAfterEach,
  collect,
  doneChunk,
  loadFixture,
  startServer,
  type TestServer,
} from './__fixtures__/server';
import { createOllamaProvider } from './provider';

const KEY_A = 'sk-first-Qw7Lp2Zx8f3kd92msla0Rt';
const KEY_B = 'sk-second-Hd4Nc6Yb2Rt8Pw3Lm9Xv';
const { servers, providers } = closedAfterEach<TestServer>();
const request = () => ask('echo', { temperature: 0, seed: 7 });

/** Two providers with their own keys and one cache, on a server that echoes the key. */
async function pair() {
  const server = await startServer({
    '/api/show': loadFixture('05-show-llama3.2.json'),
    '/api/chat': (req, res) => {
      const key = String(req.headers.authorization).replace(/^Bearer /, '');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // The key in pieces of five characters, as a model streams it token by token.
      for (let at = 0; at < key.length; at += 5) res.write(chatChunk(key.slice(at, at + 5)));
      res.write(chatChunk('', { message: { role: 'assistant', content: '', thinking: key } }));
      const call = { function: { name: 'login', arguments: { token: key, [key]: 1 } } };
      res.write(chatChunk('', { message: { role: 'assistant', content: '', tool_calls: [call] } }));
      res.end(doneChunk());
    },
  });
  servers.push(server);
  const cache = createCache({ strategy: 'aggressive' });
  const [a, b] = [KEY_A, KEY_B].map((apiKey) =>
    createOllamaProvider({ baseUrl: server.url, apiKey, cache, retry: false }),
  );
  providers.push(a!, b!);
  return { a: a!, b: b!, cache };
}

describe('an answer a server echoed the key into, in a cache shared by providers', () => {
  it('is returned as it came, and replayed to the other provider without the key', async () => {
    const { a, b, cache } = await pair();
    const fresh = await a.complete(request());
    expect(fresh).toMatchObject({ content: KEY_A, thinking: KEY_A });
    expect(fresh.toolCalls[0]!.arguments).toEqual({ token: KEY_A, [KEY_A]: 1 });
    const replayed = await b.complete(request());
    expect(replayed).toMatchObject({ cached: true, content: '[redacted]', thinking: '[redacted]' });
    expect(replayed.toolCalls[0]!.arguments).toEqual({ token: '[redacted]', '[redacted]': 1 });
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    expectNoSecret(JSON.stringify(await collect(b.stream(request()))), KEY_A);
    await cache.close();
  });

  it("is streamed as it came, and the stream's recording replayed without the key", async () => {
    const { a, b, cache } = await pair();
    const live = await collect(a.stream(request()));
    expect(live.map((c) => c.content).join('')).toBe(KEY_A);
    const replayed = await collect(b.stream(request()));
    expect(replayed.at(-1)!.response).toMatchObject({ cached: true, content: '[redacted]' });
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    expectNoSecret(JSON.stringify(await b.complete(request())), KEY_A);
    await cache.close();
  });
});
