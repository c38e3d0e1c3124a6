import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { Redactor } from './secrets';

// A key a server quotes back written out in groups, one separator every N characters
// (`sk-p roj- AbCd ...`, as a card number is written): no piece of eight of its characters is
// left as it is, so only the whole key, grouped, tells it.

const KEY = 'sk-proj-AbCdEfGh1234567890ZyXwVuTsRqPoNmLkJi0987654321x';

/** `key` in groups of `size` with `separator` between two, counted from its start or its end. */
function grouped(key: string, size: number, separator: string, fromEnd = false): string {
  const groups: string[] = [];
  let at = fromEnd ? key.length % size : 0;
  if (at > 0) groups.push(key.slice(0, at));
  for (; at < key.length; at += size) groups.push(key.slice(at, at + size));
  return groups.join(separator);
}

function redactor(key = KEY): Redactor {
  const made = new Redactor();
  made.add(key);
  return made;
}

describe('Redactor: a key spaced out in groups', () => {
  for (const separator of [' ', '-', '.', '\n']) {
    it(`scrubs a key with ${JSON.stringify(separator)} every 2 to 8 characters, whole`, () => {
      const configured = redactor();
      for (let size = 2; size <= 8; size++) {
        for (const fromEnd of [false, true]) {
          const echo = grouped(KEY, size, separator, fromEnd);
          const text = `invalid key: ${echo} (check it)`;
          expect(configured.redact(text), echo).toBe('invalid key: [redacted] (check it)');
          // a key handed out by a key callback is looked for the same way
          expect(new Redactor().redactFor(KEY)(text), echo).toBe(
            'invalid key: [redacted] (check it)',
          );
        }
      }
    });
  }

  it('scrubs a long key grouped in any case, and a secret of 8 to 15 characters as written', () => {
    expect(redactor().redact(`got ${grouped(KEY.toUpperCase(), 4, ' ')}.`)).toBe('got [redacted].');
    const password = 'hunter2-xyz';
    expect(redactor(password).redact(`pw ${grouped(password, 3, ' ')} end`)).toBe(
      'pw [redacted] end',
    );
  });

  it('leaves ordinary text alone: the key must be whole, in order, one separator throughout', () => {
    const text =
      'sk-p roj- is a prefix, dead beef cafe 1234 5678, a pass word, a pass-word, abcd efgh';
    expect(redactor().redact(text)).toBe(text);
    // a short secret in two halves would be two words: 3 groups or more count
    expect(redactor('password').redact(text)).toBe(text);
    expect(redactor('abcdefgh').redact(text)).toBe(text);
    expect(redactor('abcdefgh').redact('x abc def gh y')).toBe('x [redacted] y');
  });
});

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** A server that refuses every request, quoting its bearer token with a space every 4 characters. */
async function groupingServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key: ${grouped(token, 4, ' ')}` } }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a server that echoes the key spaced every 4 characters in its error body', () => {
  it('gets none of it into the error', async () => {
    for (const options of [{ apiKey: KEY }, { getApiKey: () => KEY }]) {
      const core = lineCore(await groupingServer(), options);
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect((error as Error).message).toContain('Incorrect API key: [redacted]');
      for (const text of errorTexts([error])) {
        // with the spaces taken out, no 8 characters of the key are left anywhere
        const joined = text.replace(/\s+/g, '');
        for (let i = 0; i + 8 <= KEY.length; i += 2) {
          expect(joined).not.toContain(KEY.slice(i, i + 8));
        }
        expect(text).not.toContain(KEY.slice(-3));
      }
    }
  });
});
