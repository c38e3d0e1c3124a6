// Providers with keys of their own sharing one cache, and a server that echoes the request's key
// into its answer: the caller whose server echoed it gets the answer as it came, and the cache
// keeps (and replays to the others) the answer without the key.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCache } from '@x/cache';
import { expectNoSecret } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from '../__fixtures__/line-core';
import type { StreamChunk } from '../types';
import { type CachedAnswer, storedAnswer } from './stored-answer';

const KEY_A = 'sk-first-Qw7Lp2Zx8f3kd92msla0Rt';
const KEY_B = 'sk-second-Hd4Nc6Yb2Rt8Pw3Lm9Xv';
const cacheable = { ...streamed, cacheKey: () => ({ q: 'same' }) };

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) server.close();
});

/** A server that streams `hi <the request's key>` in pieces of five characters. */
async function echoingServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    const text = `hi ${key}`;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (let at = 0; at < text.length; at += 5) {
      res.write(`${JSON.stringify({ delta: text.slice(at, at + 5) })}\n`);
    }
    res.end(`${JSON.stringify({ done: true, in: 1, out: 1 })}\n`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function texts(stream: AsyncIterable<StreamChunk>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(chunk.done ? chunk.response.content : chunk.content);
  return out;
}

describe('an answer a server echoed the key into', () => {
  it('is returned as it came, and replayed from a shared cache without the key', async () => {
    const url = await echoingServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = lineCore(url, { apiKey: KEY_A, cache });
    const b = lineCore(url, { apiKey: KEY_B, cache });
    const audits: unknown[] = [];
    a.on('audit', (event) => {
      if (event.type === 'secret-scrubbed') audits.push(event);
    });
    const fresh = await a.complete(cacheable, ask);
    expect(fresh.content).toBe(`hi ${KEY_A}`);
    // One event for the answer stored, however many of its texts held the key.
    expect(audits).toMatchObject([{ type: 'secret-scrubbed', occurrences: 2 }]);
    const replayed = await b.complete(cacheable, ask);
    expect(replayed.cached).toBe(true);
    expect(replayed.content).toBe('hi [redacted]');
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    expectNoSecret(JSON.stringify(await texts(b.stream(cacheable, streamed.stream!, ask))), KEY_A);
  });

  it("is streamed as it came, and a stream's recording replayed without the key split over its chunks", async () => {
    const url = await echoingServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = lineCore(url, { apiKey: KEY_A, cache });
    const b = lineCore(url, { apiKey: KEY_B, cache });
    const live = await texts(a.stream(cacheable, streamed.stream!, ask));
    expect(live.slice(0, -1).join('')).toBe(`hi ${KEY_A}`);
    const replayed = await texts(b.stream(cacheable, streamed.stream!, ask));
    expect(replayed.slice(0, -1).join('')).toBe('hi [redacted]');
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    const whole = await b.complete(cacheable, ask);
    expect(whole).toMatchObject({ cached: true, content: 'hi [redacted]' });
  });
});

describe('storedAnswer', () => {
  const scrub = { redactKnown: (text: string) => text.replaceAll(KEY_A, '[redacted]') };

  it('is the answer itself when no text of it holds a secret', () => {
    const value = { response: { content: 'hi', toolCalls: [{ name: 'f', arguments: { a: 1 } }] } };
    expect(storedAnswer(value, scrub)).toBe(value);
  });

  it("scrubs every text and key of a copy, at any depth, and leaves the answer and its chunks' recording out", () => {
    let deep: Record<string, unknown> = { leaf: KEY_A };
    for (let i = 0; i < 3_000; i++) deep = { d: deep };
    const response = {
      content: `hi ${KEY_A}`,
      thinking: `the key is ${KEY_A}`,
      message: { role: 'assistant', content: `hi ${KEY_A}` },
      toolCalls: [{ id: 'c1', name: 'f', arguments: { [KEY_A]: [KEY_A], b: { c: KEY_A } } }],
      logprobs: [{ token: 'hi', logprob: 0 }],
      deep,
    };
    const value: CachedAnswer<typeof response> = JSON.parse(
      JSON.stringify({ response, chunks: [{ c: 'hi' }] }),
    );
    const before = JSON.stringify(value);
    const stored = storedAnswer(value, scrub);
    expect(JSON.stringify(value)).toBe(before);
    expect(stored.chunks).toBeUndefined();
    const text = JSON.stringify(stored);
    expect(text).not.toContain(KEY_A);
    expect(stored.response).toMatchObject({
      content: 'hi [redacted]',
      thinking: 'the key is [redacted]',
      message: { content: 'hi [redacted]' },
      logprobs: undefined,
    });
    expect(stored.response.toolCalls[0]?.arguments).toEqual({
      '[redacted]': ['[redacted]'],
      b: { c: '[redacted]' },
    });
  });
});
