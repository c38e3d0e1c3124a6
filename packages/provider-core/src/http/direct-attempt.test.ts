import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { errorTexts, expectNoSecret } from '@x/internal/testing';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ask, lineCore, streamed } from '../__fixtures__/line-core';
import { agent, closeCoresAndServers, servers, viaRequest } from '../__fixtures__/via-request';
import type { Transport } from '../index';

afterEach(closeCoresAndServers);
afterAll(() => agent.close());

const line = (value: object) => `${JSON.stringify(value)}\n`;
const delta = (text: string) => line({ delta: text });

type Answer = (res: http.ServerResponse) => void;

/** The request's credential, which a hostile server echoes back in what it answers. */
const echoed = (res: http.ServerResponse) => res.req.headers.authorization ?? 'none';

/** Raw bytes on the socket, where node:http would refuse to write them. */
const raw = (res: http.ServerResponse, text: string) => res.socket!.end(text);

/**
 * Answers that are not valid HTTP, or encoded though the request asked for identity: each must
 * end in the provider's protocol error at its headers, never retried, nothing of it in the error.
 */
const protocolAnswers: Record<string, Answer> = {
  // Request smuggling's classic: two framings at once, which no client may guess between.
  'Content-Length together with Transfer-Encoding chunked': (res) =>
    raw(
      res,
      `HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-Echo: ${echoed(res)}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    ),
  'an unsolicited 101 Switching Protocols': (res) =>
    raw(
      res,
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Echo: ${echoed(res)}\r\n\r\n`,
    ),
  // undici sends no `Expect: 100-continue`: a 100 is not an answer to it.
  'an unsolicited 100 Continue': (res) =>
    raw(
      res,
      `HTTP/1.1 100 Continue\r\nX-Echo: ${echoed(res)}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`,
    ),
  // undici's limit is Node's --max-http-header-size, 16 KiB.
  "headers over undici's limit": (res) =>
    raw(res, `HTTP/1.1 200 OK\r\nX-Echo: ${echoed(res)}\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`),
  'a status line followed by broken headers': (res) =>
    raw(res, `HTTP/1.1 200 OK\r\nX-Echo: ${echoed(res)}\r\n\x00\x01 garbage\r\n\r\n`),
  // A proxy compressing what passes through it; the coding named in its header echoes the key.
  'a gzip-encoded stream': (res) => {
    res.writeHead(200, {
      'content-type': 'application/x-ndjson',
      'content-encoding': `gzip, ${echoed(res)}`,
    });
    res.end(gzipSync(delta(echoed(res)) + line({ done: true })));
  },
};

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
    // A loaded reader may take both writes as one read (a custom transport's body joins what it
    // buffered): the case below, which the request path handles the same way.
    setTimeout(() => res.write(delta('extra')), 5);
  },
  // The test's accumulator, like a careless provider's, would append it: the request path drops
  // every line after the final one, also within one read.
  'a line after the final one in the same write': (res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(delta('done') + line({ done: true }) + delta('extra'));
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
  'a gzip-encoded error answer': (res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ error: 'overloaded' })));
  },
  // Its body is not decoded, so not waited for: read, it would hold the call to a deadline.
  'an encoded error body that trickles': (res) => {
    res.writeHead(500, { 'content-type': 'application/json', 'content-encoding': 'br' });
    const timer = setInterval(() => res.write('abcd'), 20);
    res.on('close', () => clearInterval(timer));
  },
  ...protocolAnswers,
};

/** How many requests each server started by {@link serve} received, by its URL. */
const received = new Map<string, number>();

async function serve(answer: Answer): Promise<string> {
  let url = '';
  const server = http.createServer((req, res) => {
    received.set(url, (received.get(url) ?? 0) + 1);
    req.resume();
    req.on('end', () => answer(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return url;
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
      kind: e.kind,
      retryable: e.retryable,
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
      'a line after the final one in the same write': { content: 'done' },
      'an answer over maxAnswerBytes': { reason: 'too-large' },
      'a dropped connection': { partial: 'half' },
      'bytes that are not HTTP': {
        name: 'ProviderProtocolError',
        code: 'X_PROVIDER_DEMO_PROTOCOL',
        kind: 'protocol',
        retryable: false,
        message: expect.stringMatching(
          /^Demo at http:\/\/127\.0\.0\.1:\d+ answered with something that is not valid HTTP \(HPE_\w+\): is another service listening on that port, or a proxy in between altering the answer\?$/,
        ),
      },
      // Reported by its status; the body, which it is no use decoding, stays out of the message.
      'a gzip-encoded error answer': {
        statusCode: 503,
        message: expect.stringMatching(/^Demo \/reply answered 503: [\x20-\x7e]*$/),
      },
      'an encoded error body that trickles': {
        statusCode: 500,
        message: 'Demo /reply answered 500: (a body in Content-Encoding br)',
      },
      'Content-Length together with Transfer-Encoding chunked': {
        kind: 'protocol',
        message: expect.stringContaining('(UND_ERR_RES_CONTENT_LENGTH_MISMATCH)'),
      },
      'an unsolicited 101 Switching Protocols': {
        kind: 'protocol',
        message: expect.stringContaining('(UNEXPECTED_UPGRADE)'),
      },
      'an unsolicited 100 Continue': {
        kind: 'protocol',
        message: expect.stringMatching(
          /answered with a `100 Continue` the request did not ask for \(UNEXPECTED_CONTINUE\), which undici does not accept/,
        ),
      },
      "headers over undici's limit": {
        kind: 'protocol',
        message: expect.stringContaining('(UND_ERR_HEADERS_OVERFLOW)'),
      },
      'a status line followed by broken headers': {
        kind: 'protocol',
        message: expect.stringContaining('not valid HTTP (HPE_'),
      },
      'a gzip-encoded stream': {
        kind: 'protocol',
        code: 'X_PROVIDER_DEMO_PROTOCOL',
        message: expect.stringMatching(
          /^Demo at http:\/\/127\.0\.0\.1:\d+ answered with a body in Content-Encoding "gzip, [^"]*" \(CONTENT_ENCODING\), though the request asked for identity: /,
        ),
      },
    });
  });

  for (const [name, answer] of Object.entries(protocolAnswers)) {
    it(`refuses ${name} at once as a protocol error, never retried, nothing of it in the error`, async () => {
      const key = 'sk-echoed-by-a-hostile-server-7f3a9c';
      const url = await serve(answer);
      for (const transport of [undefined, viaRequest]) {
        received.set(url, 0);
        const core = lineCore(url, {
          apiKey: key,
          retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
          ...(transport === undefined ? {} : { pool: false, transport }),
        });
        const error = await core.complete(streamed, ask).catch((e: unknown) => e);
        expect(error).toMatchObject({
          name: 'ProviderProtocolError',
          kind: 'protocol',
          retryable: false,
          origin: url,
        });
        expect(received.get(url)).toBe(1);
        // Only the gzip answer's encoding name came from the server (and was scrubbed); the other
        // errors hold nothing of its: their class name shows the text is the error's.
        expectNoSecret(errorTexts([error]).join('\n'), key, {
          shows: name.includes('gzip') ? '[redacted]' : 'ProviderProtocolError',
        });
      }
    });
  }

  it('sends accept-encoding: identity with every request', async () => {
    const seen: Array<string | undefined> = [];
    const url = await serve((res) => {
      seen.push(res.req.headers['accept-encoding']);
      answers['a stream']!(res);
    });
    for (const transport of [undefined, viaRequest]) {
      const core = lineCore(url, transport === undefined ? {} : { pool: false, transport });
      await core.complete(streamed, ask);
    }
    expect(seen).toEqual(['identity', 'identity']);
  });

  it('refuses an encoded answer at its headers and closes its socket, its body unread', async () => {
    let closed = 0;
    // The compressed body never ends and no deadline runs: only a refusal at the headers ends
    // the call.
    const url = await serve((res) => {
      res.on('close', () => closed++);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-encoding': 'br' });
      res.write(Buffer.from([0x1b, 0x03, 0x00, 0xf8]));
    });
    for (const transport of [undefined, viaRequest]) {
      const core = lineCore(url, {
        timeouts: false,
        ...(transport === undefined ? {} : { pool: false, transport }),
      });
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect(error).toMatchObject({
        kind: 'protocol',
        causeCode: 'CONTENT_ENCODING',
        contentEncoding: 'br',
      });
      expect(core.stats().inFlight).toBe(0);
    }
    await vi.waitFor(() => expect(closed).toBe(2), { timeout: 5_000 });
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
      expect(error).toMatchObject({ name: 'ProviderProtocolError', retryable: false });
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(key);
    }
  });

  it('keeps the bytes of a body whose chunked framing breaks, credentials echoed in them, out of the error', async () => {
    const key = 'sk-echoed-in-chunks-42';
    const url = await serve((res) =>
      raw(
        res,
        `HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n${(3).toString(16)}\r\n{"d\r\nZZZ ${echoed(res)}\r\n`,
      ),
    );
    for (const transport of [undefined, viaRequest]) {
      const core = lineCore(url, {
        apiKey: key,
        ...(transport === undefined ? {} : { pool: false, transport }),
      });
      const whole = await core.complete(streamed, ask).catch((e: unknown) => e);
      const streamedError = await (async () => {
        for await (const _ of core.stream(streamed, streamed.stream!, ask));
      })().catch((e: unknown) => e);
      for (const error of [whole, streamedError]) {
        expect(error).toMatchObject({ name: 'ProviderProtocolError', causeCode: 'HPE_INVALID' });
        expect((error as Error).cause).toMatchObject({ name: 'HTTPParserError' });
        expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(key);
      }
    }
  });

  it('ends an error answer whose body stalls at the idle deadline from its headers, a first-token deadline or none before', async () => {
    const url = await serve((res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"error":');
    });
    for (const [transport, firstTokenMs] of [
      [undefined, 0],
      [viaRequest, 0],
      [undefined, 30_000],
      [viaRequest, 30_000],
    ] as const) {
      const core = lineCore(url, {
        timeouts: { firstTokenMs, idleMs: 150 },
        ...(transport === undefined ? {} : { pool: false, transport }),
      });
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'timeout', timeout: 'idle', timeoutMs: 150 });
    }
  });

  it('closes the socket of an answer whose body goes on after the final line', {
    timeout: 15_000,
  }, async () => {
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
    // Given up after the grace second, not kept until the idle deadline (60 s); 10 s leaves a
    // loaded machine room and stays far below the 60 s a bug would keep the socket.
    const started = performance.now();
    while (!closed && performance.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(closed).toBe(true);
  });
});
