import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorTexts, expectNoSecret } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { Answer } from './__fixtures__/observed';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  createErrorKit,
  isProviderError,
  type Operation,
  type StreamChunk,
  type WireMessage,
} from './index';
import { Redactor } from './secrets';

// A server that answers its error text in UTF-16 (LE or BE) where the client reads UTF-8: each
// character of the key comes with a NUL beside it (`s\0k\0-\0`), which the error shows escaped
// (`s\u0000k\u0000-`). No eight characters of the key are left together, but the key is all there.

const KEY = 'sk-proj-AbCdEfGh1234567890ZyXwVuTsRq';

const utf16 = (text: string, bigEndian: boolean): Buffer => {
  const bytes = Buffer.from(text, 'utf16le');
  return bigEndian ? bytes.swap16() : bytes;
};

/** `text` without the NULs and their escapes: what a reader of it would put back together. */
const withoutNuls = (text: string): string => text.replaceAll('\\u0000', '').replaceAll('\0', '');

describe('Redactor: a key in UTF-16 read as UTF-8', () => {
  for (const bigEndian of [false, true]) {
    it(`scrubs a key with a NUL ${bigEndian ? 'before' : 'after'} each character`, () => {
      const redactor = new Redactor();
      redactor.add(KEY);
      const text = utf16(`bad key ${KEY} (check it)`, bigEndian).toString('utf8');
      const out = redactor.redact(text);
      expect(withoutNuls(out)).toBe('bad key [redacted] (check it)');
      // a key handed out by a key callback is looked for the same way
      expect(withoutNuls(new Redactor().redactFor(KEY)(text))).toBe(withoutNuls(out));
      // escaped as JSON (a body quoted in a log line): the escapes are decoded and found too
      const escaped = JSON.stringify(text).slice(1, -1);
      expect(withoutNuls(redactor.redact(escaped))).toBe('bad key [redacted] (check it)');
    });
  }

  it('scrubs a long key upper-cased in UTF-16, and a piece of eight of its characters', () => {
    const redactor = new Redactor();
    redactor.add(KEY);
    const upper = utf16(`got ${KEY.toUpperCase()}.`, false).toString('latin1');
    expect(withoutNuls(redactor.redact(upper))).toBe('got [redacted].');
    const piece = utf16(`got ${KEY.slice(10, 18)}.`, true).toString('utf8');
    expect(withoutNuls(redactor.redact(piece))).toBe('got [redacted].');
  });

  it('finds the key in a name as a scrub finds it in text, configured or handed out', () => {
    for (const bigEndian of [false, true]) {
      const name = utf16(`m-${KEY}`, bigEndian).toString('utf8');
      const configured = new Redactor();
      configured.add(KEY);
      expect(configured.holdsSecret(name)).toBe(true);
      expect(configured.holdsSecret(name.toUpperCase())).toBe(true);
      const handedOut = new Redactor();
      handedOut.remember(KEY);
      expect(handedOut.holdsSecret(name)).toBe(true);
    }
    const clean = new Redactor();
    clean.add(KEY);
    expect(clean.holdsSecret(utf16('llama3.2:latest', false).toString('utf8'))).toBe(false);
  });

  it('leaves UTF-16 text without the key as it was', () => {
    const redactor = new Redactor();
    redactor.add(KEY);
    const text = utf16('bad key sk-other-AbCx-1234 (check it)', false).toString('utf8');
    expect(redactor.redact(text)).toBe(text);
  });
});

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** A server that refuses every request with `status`, quoting its bearer token in UTF-16. */
async function utf16Server(status: number, contentType: string, bigEndian: boolean) {
  const server = http.createServer((req, res) => {
    req.resume();
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(status, { 'content-type': contentType });
    res.end(utf16(`bad ${token}`, bigEndian));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that answers 200 and then a streamed error line whose message is UTF-16 bytes. */
async function utf16LineServer() {
  const server = http.createServer((req, res) => {
    req.resume();
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const message = utf16(`bad ${token}`, false).toString('latin1');
    res.end(`{"delta":"hi"}\n${JSON.stringify({ error: message })}\n`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const kit = createErrorKit({ provider: 'demo', label: 'Demo' });

/** NDJSON lines where an `{ error }` line fails the stream with the server's text, redacted. */
const failingLines: Operation<BaseChatRequest, BaseChatResponse> = {
  ...streamed,
  accumulator: (redact) =>
    new (class extends Answer {
      override add(message: WireMessage): StreamChunk | undefined {
        const line = JSON.parse(message.data);
        if (typeof line.error !== 'string') return super.add(message);
        throw kit.stream({
          reason: 'server-error',
          serverMessage: redact(line.error),
          partial: this.partial(),
        });
      }
    })(),
};

/** The error a call on `url` ends in, and the error events it published. */
async function failedCall(
  url: string,
  options: Parameters<typeof lineCore>[1],
  operation = streamed,
) {
  const events: unknown[] = [];
  const listen = (event: unknown) => events.push(event);
  subscribe('x:provider-demo:error', listen);
  try {
    const core = lineCore(url, options);
    const error = await core.complete(operation, ask).catch((e: unknown) => e);
    return { error, events };
  } finally {
    unsubscribe('x:provider-demo:error', listen);
  }
}

function expectNoKey(error: unknown, events: unknown[]): void {
  expect(isProviderError(error)).toBe(true);
  expect(events.length).toBeGreaterThan(0);
  const texts = [...errorTexts([error]), JSON.stringify(events)].map(withoutNuls);
  expect(withoutNuls((error as Error).message)).toContain('bad [redacted]');
  expectNoSecret(texts.join('\n'), KEY);
}

describe('a server that answers its error text in UTF-16', () => {
  const cases = [
    { status: 500, type: 'text/plain', bigEndian: false },
    { status: 500, type: 'text/plain; charset=utf-16le', bigEndian: false },
    { status: 401, type: 'application/json', bigEndian: true },
    { status: 500, type: 'text/plain; charset=utf-16be', bigEndian: true },
  ];
  for (const { status, type, bigEndian } of cases) {
    it(`gets none of the key into the error or its event (${status}, ${type}, ${bigEndian ? 'BE' : 'LE'})`, async () => {
      for (const options of [{ apiKey: KEY }, { getApiKey: () => KEY }]) {
        const { error, events } = await failedCall(
          await utf16Server(status, type, bigEndian),
          options,
        );
        expect((error as { serverMessage?: unknown }).serverMessage).toEqual(
          expect.stringContaining('\\u0000[redacted]'),
        );
        expectNoKey(error, events);
      }
    }, 30_000);
  }

  it('gets none of the key into the error of a streamed error line', async () => {
    const { error, events } = await failedCall(
      await utf16LineServer(),
      { apiKey: KEY },
      failingLines,
    );
    expect(error).toMatchObject({ reason: 'server-error' });
    expectNoKey(error, events);
  }, 30_000);
});
