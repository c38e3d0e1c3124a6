import { until } from '@x/internal/testing';
import type { Transport } from '@x/provider-core';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chatChunk,
  doneChunk,
  loadFixture,
  startServer,
  type TestServer,
} from './__fixtures__/server';
import { isOllamaStreamError } from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

/**
 * `stream()` read at the caller's pace: over the built-in transports undici pushes each chunk,
 * the provider decodes it at once and pauses the socket while chunks wait for the caller; a custom
 * transport's body is pulled. Both count a failure in the answer against the server, never a
 * caller who leaves.
 */

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** undici's own `request()` as a custom transport: the pulled path, against the same server. */
const pulled: Transport = async (url, options) => {
  const { statusCode, headers, body } = await undiciRequest(url, options);
  return { statusCode, headers, body };
};

async function setup(
  chat: Parameters<typeof startServer>[0][string],
  options: OllamaProviderOptions = {},
): Promise<OllamaProvider> {
  const server = await startServer({
    '/api/show': loadFixture('05-show-llama3.2.json'),
    '/api/chat': chat,
  });
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, retry: false, ...options });
  providers.push(provider);
  return provider;
}

const ask = (): ChatRequest => ({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });

describe('stream() read at the caller pace', () => {
  it('holds a fast server back by TCP while the caller holds a chunk, then reads it all', async () => {
    const line = chatChunk('x'.repeat(1000));
    const lines = 25_000; // about 28 MB, under the 32 MiB answer cap
    let written = 0;
    const provider = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < lines; i++) {
        written += line.length;
        if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end(doneChunk());
    });
    const chunks = provider.stream(ask())[Symbol.asyncIterator]();
    expect((await chunks.next()).value.content).toHaveLength(1000);
    // The caller holds the first chunk: the server writes what the socket buffers take, then waits.
    // Polled until nothing more is written over two checks 100 ms apart (bounded): a loaded
    // machine may take longer than a fixed sleep to fill the buffers.
    const started = performance.now();
    let last = -1;
    let still = 0;
    while (still < 2 && performance.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      still = written === last ? still + 1 : 0;
      last = written;
    }
    expect(still).toBe(2);
    expect(written).toBeLessThan(lines * line.length * 0.75);
    let count = 1;
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      if (!next.value.done) count++;
    }
    expect(count).toBe(lines);
  }, 20_000);

  for (const [name, transport] of [
    ['pushed (built-in transport)', undefined],
    ['pulled (custom transport)', pulled],
  ] as const) {
    it(`${name}: an error line mid-answer counts against the server, as in complete()`, async () => {
      const provider = await setup(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(chatChunk('Hel'));
          res.end(`${JSON.stringify({ error: 'model runner crashed' })}\n`);
        },
        { transport, breaker: { failureThreshold: 2 } },
      );
      for (let i = 0; i < 2; i++) {
        const seen: string[] = [];
        const error = await (async () => {
          for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
        })().catch((e: unknown) => e);
        expect(seen).toEqual(['Hel']);
        expect(isOllamaStreamError(error)).toBe(true);
      }
      expect(provider.breaker?.state).toBe('open');
    });

    it(`${name}: a caller who leaves early is not the server's failure`, async () => {
      const provider = await setup(
        async (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(chatChunk('one'));
          res.write(chatChunk('two'));
          // The rest never comes: only the caller's leaving ends this exchange.
        },
        { transport, breaker: { failureThreshold: 1 } },
      );
      for (let i = 0; i < 3; i++) {
        for await (const chunk of provider.stream(ask())) {
          expect(chunk.content).toBe('one');
          break;
        }
      }
      expect(provider.breaker?.state).toBe('closed');
      expect(provider.breaker?.stats().failures).toBe(0);
      await until(() => provider.stats().inFlight === 0);
    });
  }
});
