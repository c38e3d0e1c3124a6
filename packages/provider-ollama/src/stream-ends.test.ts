import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDataAfterDone, startEndlessNdjson, until } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { collect, hostileSetup } from './__fixtures__/server';
import { isOllamaStreamError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { against, providers } = hostileSetup();

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

describe('an endless stream (real clock: the server writes as fast as it is read)', () => {
  it('ends with a typed too-large error carrying the partial answer, under the default cap', async () => {
    const { provider } = await against(() => startEndlessNdjson());
    const error = await collect(provider.stream(ask)).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'too-large' });
    expect((error as { partial: { content: string } }).partial.content.length).toBeGreaterThan(0);
    expect((error as Error).message).toContain('maxAnswerBytes');
    // 32 MiB read and decoded: under a second alone, several while other suites load the machine.
  }, 30_000);

  it('ends ten at once, typed, with the process under 1 GiB (load: about 320 MiB read)', async () => {
    const { provider } = await against(() => startEndlessNdjson());
    const results = await Promise.all(
      Array.from({ length: 10 }, () => provider.complete(ask).catch((e: unknown) => e)),
    );
    expect(results.every((e) => isOllamaStreamError(e))).toBe(true);
    expect(process.memoryUsage().rss).toBeLessThan(1024 ** 3);
  }, 60_000);
});

describe('data after done (real clock)', () => {
  for (const after of ['lines', 'error', 'open'] as const) {
    it(`ends the answer at done and releases the socket when ${after} follows`, async () => {
      const { server, provider } = await against(() => startDataAfterDone({ after, lines: 3 }));
      const answer = await provider.complete(ask);
      expect(answer.content.length).toBeGreaterThan(0);
      const chunks = await collect(provider.stream({ ...ask, cache: 'bypass' }));
      expect(chunks.at(-1)!.done).toBe(true);
      expect(chunks.at(-1)!.response!.content).toBe(answer.content);
      // The connection left open is closed by the client, not kept waiting for idleMs.
      if (after === 'open') await until(() => server.stats.clientGone);
      expect(provider.stats().inFlight).toBe(0);
    });
  }
});

describe('a stream read to its final line (real clock)', () => {
  it('keeps its connection for the next call when the body ends just after the final line', async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const line = (content: string, done: boolean) =>
          `${JSON.stringify({ model: 'hostile', created_at: '2026-12-03T00:00:00Z', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop', prompt_eval_count: 3, eval_count: 2 } : {}) })}\n`;
        res.write(line('Hel', false));
        res.write(line('lo', true));
        // The end of the chunked body a moment after the final line, as a separate packet.
        setTimeout(() => res.end(), 20);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createOllamaProvider({ baseUrl: `http://127.0.0.1:${port}`, tokens: false });
    providers.push(provider);
    try {
      for (let i = 0; i < 3; i++) {
        const chunks = await collect(provider.stream({ ...ask, cache: 'bypass' }));
        expect(chunks.at(-1)!.response!.content).toBe('Hello');
        // The body's end has arrived: the connection is free again unless it was destroyed.
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      expect((await provider.complete({ ...ask, cache: 'bypass' })).content).toBe('Hello');
      expect(connections).toBe(1);
      expect(provider.stats().inFlight).toBe(0);
    } finally {
      await provider.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
