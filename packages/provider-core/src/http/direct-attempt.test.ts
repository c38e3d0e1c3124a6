import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from '../__fixtures__/line-core';
import type { Transport } from '../index';

const servers: http.Server[] = [];
const agent = new Agent();

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});
afterAll(() => agent.close());

/** undici's `request()` as a custom transport: the path a custom transport takes. */
const viaRequest: Transport = (url, options) =>
  request(url, { ...options, dispatcher: agent }) as never;

const line = (value: object) => `${JSON.stringify(value)}\n`;
const delta = (text: string) => line({ delta: text });

type Answer = (res: http.ServerResponse) => void;

/** How servers answer, good and bad; each test runs one through both paths. */
const answers: Record<string, Answer> = {
  'a stream': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(delta('Hel') + delta('lo') + line({ done: true }));
  },
  'a stream whose lines are cut across writes': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const text = delta('a') + delta('b') + line({ done: true });
    res.write(text.slice(0, 7));
    setTimeout(() => res.write(text.slice(7, 20)), 5);
    setTimeout(() => res.end(text.slice(20)), 10);
  },
  'a JSON error': (res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'model runner crashed' }));
  },
  'a 429 with Retry-After': (res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end(JSON.stringify({ error: 'slow down' }));
  },
  'a redirect': (res) => {
    res.writeHead(302, { location: 'https://127.0.0.1:1/reply' });
    res.end();
  },
  'an error body of 1 MiB': (res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end(`overloaded ${'x'.repeat(1024 * 1024)}`);
  },
  'a stream that ends before its final line': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(delta('cut') + delta(' short'));
  },
  'a line that is not JSON': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(`${delta('ok')}<html>\n${line({ done: true })}`);
  },
  'more lines after the final one, the connection left open': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(delta('done') + line({ done: true }));
    setTimeout(() => res.write(delta('extra')), 5);
  },
  'an answer over maxAnswerBytes': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(delta('y'.repeat(3000)) + line({ done: true }));
  },
  'a dropped connection': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(delta('half'));
    setTimeout(() => res.socket?.destroy(), 5);
  },
  // baseUrl pointed at another service's port: its greeting where the status line should be.
  'bytes that are not HTTP': (res) => {
    res.socket!.end('SSH-2.0-OpenSSH_9.6\r\n');
  },
};

async function serve(answer: Answer): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What a caller can observe of a call's outcome. */
async function outcome(url: string, transport: Transport | undefined) {
  const core = lineCore(url, {
    maxAnswerBytes: 2048,
    ...(transport === undefined ? {} : { pool: false, transport }),
  });
  try {
    const response = await core.complete(streamed, ask);
    return { content: response.content };
  } catch (error) {
    const e = error as Record<string, unknown> & Error;
    return {
      name: e.name,
      message: e.message,
      code: e.code,
      statusCode: e.statusCode,
      retryAfterMs: e.retryAfterMs,
      reason: e.reason,
      partial: (e.partial as { content?: string } | undefined)?.content,
    };
  }
}

/** What a caller can observe of a stream read chunk by chunk: the chunks, then how it ended. */
async function streamOutcome(url: string, transport: Transport | undefined) {
  const core = lineCore(url, {
    maxAnswerBytes: 2048,
    ...(transport === undefined ? {} : { pool: false, transport }),
  });
  const chunks: string[] = [];
  try {
    for await (const chunk of core.stream(streamed, streamed.stream!, ask)) {
      chunks.push(chunk.done ? `done: ${chunk.response!.content}` : chunk.content);
    }
    return { chunks };
  } catch (error) {
    const e = error as Record<string, unknown> & Error;
    return { chunks, name: e.name, code: e.code, statusCode: e.statusCode, reason: e.reason };
  }
}

describe('the direct dispatch of the built-in transports', () => {
  for (const [name, answer] of Object.entries(answers)) {
    it(`ends like undici's request() path for ${name}`, async () => {
      const url = await serve(answer);
      const direct = await outcome(url, undefined);
      const viaTransport = await outcome(url, viaRequest);
      expect(direct).toEqual(viaTransport);
    });
  }

  for (const [name, answer] of Object.entries(answers)) {
    it(`streams pushed as undici's request() path streams pulled, for ${name}`, async () => {
      const url = await serve(answer);
      const pushed = await streamOutcome(url, undefined);
      const pulled = await streamOutcome(url, viaRequest);
      expect(pushed).toEqual(pulled);
    });
  }

  it('says what each answer ends in', async () => {
    const seen: Record<string, unknown> = {};
    for (const [name, answer] of Object.entries(answers)) {
      seen[name] = await outcome(await serve(answer), undefined);
    }
    expect(seen).toMatchObject({
      'a stream': { content: 'Hello' },
      'a stream whose lines are cut across writes': { content: 'ab' },
      'a JSON error': { statusCode: 500, message: expect.stringContaining('model runner crashed') },
      'a 429 with Retry-After': { statusCode: 429, retryAfterMs: 7000 },
      'a redirect': { statusCode: 302, message: expect.stringContaining('https://127.0.0.1:1') },
      'an error body of 1 MiB': { statusCode: 503 },
      'a stream that ends before its final line': { partial: 'cut short' },
      'a line that is not JSON': { name: 'SyntaxError' },
      'more lines after the final one, the connection left open': { content: 'done' },
      'an answer over maxAnswerBytes': { reason: 'too-large' },
      'a dropped connection': { partial: 'half' },
      'bytes that are not HTTP': {
        name: 'ProviderConnectionError',
        code: 'X_PROVIDER_DEMO_CONNECTION',
        message: expect.stringMatching(/^Could not reach Demo at http:\/\/127\.0\.0\.1:\d+ \(HPE_/),
      },
    });
  });

  it('keeps the bytes of an answer that is not HTTP, credentials echoed in them, out of the error', async () => {
    const key = 'sk-echoed-in-garbage-42';
    const url = await serve((res) => {
      const authorization = res.req.headers.authorization ?? '';
      res.socket!.end(`${authorization}\r\n\x00\x01 not http`);
    });
    for (const transport of [undefined, viaRequest]) {
      const core = lineCore(url, {
        apiKey: key,
        ...(transport === undefined ? {} : { pool: false, transport }),
      });
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ProviderConnectionError', retryable: true });
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(key);
    }
  });

  it('closes the socket of an answer whose body goes on after the final line', async () => {
    let closed = false;
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(delta('one') + line({ done: true }));
      res.on('close', () => {
        closed = true;
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const core = lineCore(url, {});
    await expect(core.complete(streamed, ask)).resolves.toMatchObject({ content: 'one' });
    // Given up after the grace second, not kept until the idle deadline (60 s).
    const started = performance.now();
    while (!closed && performance.now() - started < 3_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(closed).toBe(true);
  });
});
