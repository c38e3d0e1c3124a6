import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { Redactor } from './secrets';

// A key a hostile server disguises so that no encoding of it is left in what it answers: spaced
// out, reversed, base64 of its UTF-16 bytes, base64 twice, fullwidth, its letters rotated.

const KEY = 'sk-live-AbCdEfGh1234567890ZyXwVuTsRq';

const rotate = (text: string, shift: number) =>
  text.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + shift) % 26) + base);
  });
const wide = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** Each disguise of `key` whole, by what it is. */
function disguised(key: string): Record<string, string> {
  const chars = [...key];
  return {
    'spaced out by spaces': chars.join(' '),
    "spaced out by '-'": chars.join('-'),
    "spaced out by '.'": chars.join('.'),
    "spaced out by '_'": chars.join('_'),
    "spaced out by ', '": chars.join(', '),
    'spaced out by a zero-width space and a space': chars.join('\u200b '),
    "spaced out by '-' and a zero-width space": chars.join('-\u200b'),
    reversed: chars.reverse().join(''),
    'base64 of its UTF-16LE bytes': Buffer.from(key, 'utf16le').toString('base64'),
    'base64url of its UTF-16LE bytes': Buffer.from(key, 'utf16le').toString('base64url'),
    'base64 of its UTF-16BE bytes': utf16be(key).toString('base64'),
    'base64 twice': b64(b64(key)),
    'base64url of its base64': Buffer.from(b64(key)).toString('base64url'),
    fullwidth: wide(key),
    rot13: rotate(key, 13),
    'rotated 3 (Caesar)': rotate(key, 3),
  };
}

function redactor(key = KEY): Redactor {
  const made = new Redactor();
  made.add(key);
  return made;
}

describe('Redactor: a key disguised', () => {
  for (const [what, echo] of Object.entries(disguised(KEY))) {
    it(`scrubs a key ${what}, whole`, () => {
      const out = redactor().redact(`token was ${echo} end`);
      expect(out).toBe('token was [redacted] end');
      // a key handed out by a key callback is looked for the same way
      expect(new Redactor().redactFor(KEY)(`token was ${echo} end`)).toBe(out);
    });
  }

  it('scrubs a piece of 12 characters reversed, rotated 13 or fullwidth', () => {
    const piece = KEY.slice(10, 22);
    for (const echo of [[...piece].reverse().join(''), rotate(piece, 13), wide(piece)]) {
      expect(redactor().redact(`got ${echo}.`), echo).toBe('got [redacted].');
    }
  });

  it('finds the UTF-16 base64 or the double base64 of a key inside a longer value', () => {
    const header = `Bearer ${KEY}`;
    const echoes = [
      Buffer.from(header, 'utf16le').toString('base64'),
      utf16be(`{"key":"${KEY}"}`).toString('base64url'),
      b64(b64(header)),
      b64(JSON.stringify({ auth: b64(KEY) })),
    ];
    for (const echo of echoes) {
      const out = redactor().redact(`blob=${echo}`);
      expect(out, echo).toContain('[redacted]');
      // what is left decodes to no piece of the key, once or twice
      const left = out.replace(/^blob=|\[redacted\]/g, '').split(/[^A-Za-z0-9+/=_-]+/);
      for (const run of left) {
        for (const decoded of [Buffer.from(run, 'base64'), Buffer.from(run.slice(1), 'base64')]) {
          const texts = [decoded.toString('utf16le'), decoded.subarray(1).toString('utf16le')];
          texts.push(decoded.toString('latin1'), b64(decoded));
          for (const text of texts) expect(text).not.toContain(KEY.slice(12, 20));
        }
      }
    }
  });

  it('finds the disguises of a short secret (a URL password) whole', () => {
    const secret = 'hunter2';
    for (const echo of [
      [...secret].join(' '),
      '2retnuh',
      rotate(secret, 13),
      wide(secret),
      utf16be(secret).toString('base64'),
    ]) {
      expect(redactor(secret).redact(`pw ${echo} end`), echo).toBe('pw [redacted] end');
    }
  });

  it('leaves text alone that a disguise of a short piece or short secret would shred', () => {
    // a spaced-out piece of a key, a letter-spaced word equal to a short secret, a word that
    // is a rotation (not 13) of a short secret
    const text = `s k - l i v e - A b, the T E S T heading, jolly good, ${wide('ok')}`;
    expect(redactor().redact(text)).toBe(text);
    expect(redactor('TEST').redact(text)).toBe(text);
    expect(redactor('cheer').redact(text)).toBe(text);
  });
});

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** A server that refuses every request, quoting its bearer token in every disguise. */
async function disguisingServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `bad key: ${Object.values(disguised(token)).join(' ; ')}` }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a server that echoes the key disguised', () => {
  it('gets none of its disguises into the error', async () => {
    const forms = Object.values(disguised(KEY));
    for (const options of [{ apiKey: KEY }, { getApiKey: () => KEY }]) {
      const core = lineCore(await disguisingServer(), options);
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect((error as Error).message).toContain(
        `bad key: ${forms.map(() => '[redacted]').join(' ; ')}`,
      );
      for (const text of errorTexts([error])) {
        for (const form of forms) expect(text).not.toContain(form.slice(0, 16));
      }
    }
  });
});
