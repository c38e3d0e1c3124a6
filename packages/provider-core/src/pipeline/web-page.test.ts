import { type Handler, startRouteServer } from '@x/internal/testing';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Answer } from '../__fixtures__/observed';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  createErrorKit,
  isProviderErrorOfKind,
  isWebPageAnswer,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type Transport,
} from '../index';
import { isWebPage } from './answer-type';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const KEY = 'sk-page-Zq7Xv9Lm3Pw8Rt2Y';
const chat: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
  model: (request) => request.model,
  body: (request, stream) => ({ model: request.model, stream }),
  accumulator: () => new Answer(),
};
const NDJSON = { framing: 'ndjson', accept: 'application/x-ndjson' } as const;
const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

async function provider(handler: Handler, transport?: Transport) {
  const server = await startRouteServer({ 'POST /reply': handler });
  const origin = { provider: 'demo', label: 'Demo' };
  const core = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: server.url,
    options: {
      apiKey: KEY,
      cache: false,
      tokens: false,
      rateLimit: false,
      telemetry: false,
      transport,
    },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: { failureThreshold: 1 } },
  });
  cleanup.push(
    () => server.close(),
    () => core.close(),
  );
  return { core, server };
}

/** An operation answered with one JSON document (`completeAs: 'whole'`, embeddings). */
const whole: Operation<BaseChatRequest, BaseChatResponse> = { ...chat, stream: undefined };

/** Every way of reading an answer; what the caller got before the error. */
const reads = {
  'complete()': async (core: ProviderCore) => ({
    error: await core.complete(chat, ask).catch((e: unknown) => e),
    yielded: 0,
  }),
  'complete() of a JSON answer': async (core: ProviderCore) => ({
    error: await core.complete(whole, ask).catch((e: unknown) => e),
    yielded: 0,
  }),
  'stream()': async (core: ProviderCore) => {
    let yielded = 0;
    try {
      for await (const _ of core.stream(chat, NDJSON, ask)) yielded++;
    } catch (error) {
      return { error, yielded };
    }
    return { error: undefined, yielded };
  },
};

const page = (contentType: string, body: string): Handler => {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
};

describe('isWebPage', () => {
  it('tells a web page by its media type, whatever its parameters or case', () => {
    for (const type of [
      'text/html',
      'text/html; charset=utf-8',
      ' Text/HTML ;charset=x',
      'application/xhtml+xml',
    ]) {
      expect(isWebPage(type)).toBe(true);
    }
    for (const type of [
      undefined,
      '',
      'application/x-ndjson',
      'application/json; charset=utf-8',
      'text/plain',
      'text/event-stream',
    ]) {
      expect(isWebPage(type)).toBe(false);
    }
  });
});

describe.each(Object.entries(reads))('%s answered 200 with a web page', (_, read) => {
  it('fails with a typed stream error naming the content type and the title, before any chunk', async () => {
    const html = `<!DOCTYPE html>\n<html>\n<head>\n  <title>Open WebUI (${KEY})</title>\n</head><body>${'x'.repeat(4000)}</body></html>\n`;
    const { core, server } = await provider(page('text/html; charset=utf-8', html));
    const { error, yielded } = await read(core);
    expect(yielded).toBe(0);
    expect(isProviderErrorOfKind(error, 'stream')).toBe(true);
    expect(error).toMatchObject({
      reason: 'invalid-json',
      retryable: false,
      partial: { chunks: 0 },
    });
    const { message } = error as Error;
    expect(message).toContain("Demo's /reply answered with a web page (text/html; charset=utf-8)");
    expect(message).toMatch(/, not application\/(x-ndjson|json) as Demo does/);
    expect(message).toContain('Its title: "Open WebUI ([redacted])"');
    expect(message).not.toContain(KEY.slice(3));
    // Not retried, and a wrong address does not open the breaker.
    expect(server.requests).toHaveLength(1);
    expect(core.breaker?.state).toBe('closed');
    expect(core.stats()).toMatchObject({ failures: 1, inFlight: 0 });
  });

  it('says so over a custom transport too', async () => {
    const transport: Transport = (url, options) => request(url, options as never) as never;
    const { core } = await provider(page('text/html', '<title>Login</title>'), transport);
    const { error, yielded } = await read(core);
    expect(yielded).toBe(0);
    expect((error as Error).message).toContain('answered with a web page (text/html)');
    expect((error as Error).message).toContain('Its title: "Login"');
  });

  it('says so for an empty page and one that looks like JSON, never blaming a cut stream', async () => {
    for (const body of ['', '{"detail":"Not Found"}\n']) {
      const { core } = await provider(page('text/html', body));
      const { error, yielded } = await read(core);
      expect(yielded).toBe(0);
      expect(isProviderErrorOfKind(error, 'incomplete-stream')).toBe(false);
      expect((error as Error).message).toContain('answered with a web page (text/html)');
      expect((error as Error).message).toContain(
        body === '' ? 'Its body is empty.' : 'It starts: "{\\"detail\\":\\"Not Found\\"}"',
      );
    }
  });

  it('stops reading a page that never ends (real clock)', async () => {
    const { core, server } = await provider((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><head><title>Sign in</title></head><body>');
      const timer = setInterval(() => res.write('<p>more</p>\n'.repeat(100)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const { error } = await read(core);
    expect((error as Error).message).toContain('Its title: "Sign in"');
    // The exchange is cut (the response closed before its end), not read on.
    await vi.waitFor(() => expect(server.aborted()).toBe(1), { timeout: 5_000 });
  });
});

/**
 * A transfer's progress lines (`messages()`: Ollama's pull, push and create), every one read; a
 * line that is not JSON fails it, as Ollama's does.
 */
async function transfer(core: ProviderCore, breaker: boolean) {
  const lines: string[] = [];
  try {
    for await (const line of core.messages({
      endpoint: '/reply',
      method: 'POST',
      payload: { model: 'm' },
      model: 'm',
      signal: undefined,
      format: NDJSON,
      breaker,
      parse: (message) => {
        JSON.parse(message.data);
        return message.data;
      },
      last: (line) => line.includes('success'),
    })) {
      lines.push(line);
    }
  } catch (error) {
    return { error, lines };
  }
  return { error: undefined, lines };
}

describe.each([
  { breaker: true, via: 'through the breaker' },
  { breaker: false, via: 'without the breaker' },
])('a transfer (messages()) $via answered 200 with a web page', ({ breaker }) => {
  it('fails with the stream error naming the content type and the title, before any line', async () => {
    const html = `<html><head><title>Login (${KEY})</title></head><body>{"status":"success"}</body></html>\n`;
    const { core, server } = await provider(page('text/html; charset=utf-8', html));
    const { error, lines } = await transfer(core, breaker);
    expect(lines).toEqual([]);
    expect(isProviderErrorOfKind(error, 'stream')).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json', retryable: false });
    const { message } = error as Error;
    expect(message).toContain("Demo's /reply answered with a web page (text/html; charset=utf-8)");
    expect(message).toContain('not application/x-ndjson as Demo does: is baseUrl');
    expect(message).toContain('Its title: "Login ([redacted])"');
    expect(message).not.toContain(KEY.slice(3));
    // Not retried, and a wrong address does not open the breaker.
    expect(server.requests).toHaveLength(1);
    expect(core.breaker?.state).toBe('closed');
  });

  it('stops reading a page that never ends (real clock)', async () => {
    const { core, server } = await provider((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><head><title>Sign in</title></head><body>');
      const timer = setInterval(() => res.write('<p>more</p>\n'.repeat(100)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const { error } = await transfer(core, breaker);
    expect((error as Error).message).toContain('Its title: "Sign in"');
    await vi.waitFor(() => expect(server.aborted()).toBe(1), { timeout: 5_000 });
  });
});

describe('an NDJSON answer with a charset parameter', () => {
  it('is read as the stream it is', async () => {
    const { core } = await provider(
      page('application/x-ndjson; charset=utf-8', '{"delta":"hi"}\n{"done":true,"in":1,"out":1}\n'),
    );
    await expect(core.complete(chat, ask)).resolves.toMatchObject({ content: 'hi' });
    const chunks = [];
    for await (const chunk of core.stream(chat, NDJSON, ask)) chunks.push(chunk.content);
    expect(chunks).toEqual(['hi', '']);
  });
});

describe('isWebPageAnswer', () => {
  const answer =
    (status: number, contentType: string, body: string): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': contentType, location: '/elsewhere' });
      res.end(body);
    };

  it('is true for the error of a web page answered with any status but a redirect, by every read', async () => {
    for (const status of [200, 401, 403, 404]) {
      const { core } = await provider(answer(status, 'text/html', '<title>Not here</title>'));
      for (const read of Object.values(reads)) {
        const { error } = await read(core);
        expect(isWebPageAnswer(error), `${status}`).toBe(true);
      }
    }
  });

  it("is false for the API's own error, a redirect and a connection failure", async () => {
    for (const handler of [
      answer(404, 'application/json', '{"error":"model not found"}'),
      answer(500, 'text/plain', 'boom'),
      answer(302, 'text/html', '<a href="/elsewhere">Found</a>'),
    ]) {
      const { core } = await provider(handler);
      const { error } = await reads['complete()'](core);
      expect(error).toBeInstanceOf(Error);
      expect(isWebPageAnswer(error)).toBe(false);
    }
    expect(isWebPageAnswer(new Error('ECONNREFUSED'))).toBe(false);
  });
});
