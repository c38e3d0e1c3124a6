import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplyProvider } from './__fixtures__/reply-provider';
import { isProviderError } from './index';

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** The made-up API of the README example, on 127.0.0.1. */
async function replyServer(status = 200): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `echoing ${req.headers.authorization}` }));
        return;
      }
      const { prompt, stream } = JSON.parse(body) as { prompt: string; stream: boolean };
      const words = `you said ${prompt}`.split(' ');
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: words.join(' '), in: 4, out: words.length }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const [i, word] of words.entries()) {
        res.write(`${JSON.stringify({ delta: i === 0 ? word : ` ${word}` })}\n`);
      }
      res.end(`${JSON.stringify({ done: true, in: 4, out: words.length })}\n`);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ask = {
  model: 'm',
  temperature: 0,
  messages: [{ role: 'user' as const, content: 'hello there' }],
};

describe('the README example provider', () => {
  it('is the code the README shows, and under 50 lines', () => {
    const source = readFileSync(
      join(import.meta.dirname, '__fixtures__/reply-provider.ts'),
      'utf8',
    );
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    expect(readme).toContain(source.trim());
    expect(source.trim().split('\n').length).toBeLessThan(50);
  });

  it('answers, streams, caches and counts through the shared request path', async () => {
    const provider = createReplyProvider(await replyServer());
    const answer = await provider.complete(ask);
    expect(answer).toMatchObject({
      content: 'you said hello there',
      model: 'm',
      usage: { promptTokens: 4, completionTokens: 4, totalTokens: 8 },
      cached: false,
      attempts: 1,
    });
    const chunks: string[] = [];
    let final: unknown;
    for await (const chunk of provider.stream({ ...ask, cache: 'bypass' })) {
      if (chunk.done) final = chunk.response;
      else chunks.push(chunk.content);
    }
    expect(chunks.join('')).toBe('you said hello there');
    expect(final).toMatchObject({
      content: 'you said hello there',
      usage: { completionTokens: 4 },
    });
    // Deterministic (temperature 0): the second identical call is served from the cache.
    expect(await provider.complete(ask)).toMatchObject({ cached: true, attempts: 0 });
    expect(provider.stats()).toMatchObject({ requests: 3, successes: 3, cacheHits: 1 });
    await provider.close();
  });

  it('turns an error answer into a typed, retried error with the key scrubbed', async () => {
    const provider = createReplyProvider(await replyServer(503), 'sk-secret-key-1234');
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_REPLY_SERVER_BUSY',
      kind: 'server-busy',
      statusCode: 503,
      retryable: true,
    });
    expect(String((error as Error).message)).not.toContain('sk-secret-key-1234');
    expect(provider.stats().attempts).toBe(3);
    await provider.close();
  });
});
