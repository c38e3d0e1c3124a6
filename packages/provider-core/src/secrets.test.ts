import { createHash } from 'node:crypto';
import { expectNoSecret } from '@x/internal/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from './secrets';

describe('Redactor', () => {
  it('scrubs a key echoed raw, URL-encoded and base64-encoded', () => {
    const redactor = new Redactor();
    const key = 'sk-a/b+c=d ef';
    redactor.add(key);
    const echoed = [
      key,
      encodeURIComponent(key),
      encodeURIComponent(key).replace(/%20/g, '+'),
      Buffer.from(key).toString('base64'),
      Buffer.from(key).toString('base64url'),
    ].join(' | ');
    const out = redactor.redact(`bad key: ${echoed}`);
    expect(out).not.toContain('sk-a');
    expect(out).not.toContain(Buffer.from(key).toString('base64').slice(0, 12));
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('takes a secret holding a lone surrogate, and scrubs it raw and as its UTF-8 encodings', () => {
    const redactor = new Redactor();
    const key = 'sk-lone\ud800surrogate-0123456789';
    expect(() => redactor.add(key)).not.toThrow();
    const bytes = Buffer.from(key);
    const out = redactor.redact(
      `a ${key} b ${bytes.toString('base64')} c ${encodeURIComponent(key.replace('\ud800', '\ufffd'))} d`,
    );
    expect(out).toBe('a [redacted] b [redacted] c [redacted] d');
  });

  it('scrubs the bare token of a Bearer or Basic header value, and the Basic password', () => {
    const redactor = new Redactor();
    redactor.add('Bearer tok-123456');
    const basic = Buffer.from('user:hunter2-pass').toString('base64');
    redactor.add(`Basic ${basic}`);
    const out = redactor.redact(`got tok-123456 and ${basic} and hunter2-pass`);
    expect(out).toBe('got [redacted] and [redacted] and [redacted]');
  });

  it('scrubs a key echoed in another case, every byte percent-encoded, or in base64 wrapped at any width', () => {
    const key = 'sk-LEAK/TEST+9f8e=7d6c5b4a3z';
    const redactor = new Redactor();
    redactor.add(key);
    const bytes = [...Buffer.from(`Bearer ${key}`)];
    const percent = bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const base64 = Buffer.from(`Bearer ${key}`).toString('base64');
    const echoes = [
      key.toUpperCase(),
      key.toLowerCase(),
      percent,
      percent.toUpperCase(),
      ...[5, 9, 13, 76].map((width) => base64.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n')),
    ];
    for (const echo of echoes) {
      const out = redactor.redact(`auth=${echo}!`);
      expect(out).toMatch(/^auth=.*\[redacted\]/s);
      expectNoSecret(out.replace(/\s+/g, ''), key);
      expect(out.toLowerCase()).not.toContain('leak/test');
      // what is left of a base64 echo decodes to no piece of the key either
      const left = Buffer.from(out.replace(/\[redacted\]|\s|auth=|!/g, ''), 'base64').toString();
      expect(left.toLowerCase()).not.toContain('leak');
    }
  });

  it('keeps one placeholder for overlapping echoes, and the text around them', () => {
    const redactor = new Redactor();
    redactor.add('sk-overlap-123456789');
    expect(redactor.redact('a sk-overlap-123456789sk-overlap-1234 b')).toBe('a [redacted] b');
  });

  it('scrubs a lower-case bearer token, and leaves the English word basic alone', () => {
    const redactor = new Redactor();
    expect(redactor.redact('authorization: bearer abc.def-ghi')).toBe(
      'authorization: bearer [redacted]',
    );
    expect(redactor.redact('a basic check failed')).toBe('a basic check failed');
  });

  it('scrubs any Bearer token even when it is not a known secret', () => {
    expect(new Redactor().redact('Authorization: Bearer abc.def-ghi')).toBe(
      'Authorization: Bearer [redacted]',
    );
  });

  it('redacts a configured key in every form through the shared function, built once', () => {
    const redactor = new Redactor();
    const key = 'sk/live+key=0123';
    redactor.add(key);
    const redact = redactor.redactFor(key);
    expect(redact).toBe(redactor.redact);
    const base64 = Buffer.from(key).toString('base64');
    expect(redact(`${key} ${encodeURIComponent(key)} ${base64}`)).toBe(
      '[redacted] [redacted] [redacted]',
    );
  });

  it('keeps recognising the last keys handed out per request, and no more than a few', () => {
    const redactor = new Redactor();
    // keys that share no piece of eight characters, as pieces are scrubbed too
    const keyOf = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 24);
    for (let i = 0; i < 20; i++) redactor.remember(keyOf(i));
    expect(redactor.redact(keyOf(19))).toBe('[redacted]');
    expect(redactor.redact(keyOf(0))).toBe(keyOf(0));
    expect(redactor.redactFor(keyOf(0))(keyOf(0))).toBe('[redacted]');
  });

  it('scrubs a text it found clean before once it holds a key added or handed out since', () => {
    const redactor = new Redactor();
    const echo = 'model-9f3Kq2Lm8Xv4Tz7Wp1 said stop';
    // found clean, and remembered so: an answer's model repeats on every call
    expect(redactor.redact(echo)).toBe(echo);
    expect(redactor.redact(echo)).toBe(echo);
    redactor.remember('9f3Kq2Lm8Xv4Tz7Wp1');
    expect(redactor.redact(echo)).toBe('model-[redacted] said stop');
    const other = 'model-Hx8Vb3Nq6Rt1Yw5Kd9';
    expect(redactor.redactFor('9f3Kq2Lm8Xv4Tz7Wp1')(other)).toBe(other);
    redactor.add('Hx8Vb3Nq6Rt1Yw5Kd9');
    expect(redactor.redactFor('9f3Kq2Lm8Xv4Tz7Wp1')(other)).toBe('model-[redacted]');
  });

  it("scrubs a recent key's pieces through the recent index as its own call's redaction would", () => {
    const redactor = new Redactor();
    const keyOf = (i: number) => createHash('sha256').update(`k${i}`).digest('hex').slice(0, 24);
    for (let i = 0; i < 12; i++) {
      redactor.remember(keyOf(i));
      const echo = `m-${Buffer.from(keyOf(i).slice(3, 15)).toString('base64')}`;
      expect(redactor.redactFor(keyOf(i))(echo)).toBe('m-[redacted]');
      // the keys handed out before, while still recent
      if (i >= 1) expect(redactor.redact(keyOf(i - 1))).toBe('[redacted]');
    }
    expect(redactor.redact(keyOf(0))).toBe(keyOf(0));
  });

  describe('a key inside a longer encoded value, or in part', () => {
    const key = 'sk-proj-SUPERSECRET0123456789abcdefXYZ';
    const echoes: Record<string, string> = {
      'base64 of the Authorization value': Buffer.from(`Bearer ${key}`).toString('base64'),
      'base64url of a JSON body': Buffer.from(JSON.stringify({ key })).toString('base64url'),
      'a Basic credential of the key': Buffer.from(`user:${key}`).toString('base64'),
      'base64 at the third alignment': Buffer.from(`ab${key}cd`).toString('base64'),
      hex: Buffer.from(key).toString('hex'),
      'hex, upper case, inside more': Buffer.from(`k=${key};`).toString('hex').toUpperCase(),
      'its first 20 characters': key.slice(0, 20),
      'its last 12 characters': key.slice(-12),
    };
    for (const [what, echo] of Object.entries(echoes)) {
      it(`scrubs ${what}`, () => {
        const configured = new Redactor();
        configured.add(key);
        expectNoSecret(configured.redact(`the server said: ${echo}.`), key);
        // a key from a key callback, scrubbed the same way
        const perRequest = new Redactor();
        expectNoSecret(perRequest.redactFor(key)(`the server said: ${echo}.`), key);
      });
    }

    it('leaves the words around a whole echo alone, and the scheme word of a header', () => {
      const redactor = new Redactor();
      redactor.add(`Bearer ${key}`);
      expect(redactor.redact(`sent Bearer ${key} then ${key}.`)).toBe(
        'sent [redacted] then [redacted].',
      );
      expect(redactor.redact('Bearer-based auth failed')).toBe('Bearer-based auth failed');
    });
  });

  it('finds a secret of 4 to 7 characters inside a longer base64 value, at every alignment', () => {
    for (const secret of ['pw4x', 'p4ss5', 'hunter2']) {
      const redactor = new Redactor();
      redactor.add(secret);
      for (const before of ['', 'u', 'us', 'user:']) {
        const echo = Buffer.from(`${before}${secret}@db.internal`).toString('base64');
        const out = redactor.redact(`dsn=${echo}`);
        expect(out, `${secret} after ${JSON.stringify(before)}`).toContain('[redacted]');
        const left = Buffer.from(out.replace(/\[redacted\]|dsn=/g, ''), 'base64').toString();
        expect(left).not.toContain(secret);
      }
    }
  });

  it('matches a short secret only as written, and never counts it in a model name', () => {
    const redactor = new Redactor();
    redactor.add('EMPTY');
    redactor.add('test');
    expect(redactor.redact('the text was empty, the EMPTY key')).toBe(
      'the text was empty, the [redacted] key',
    );
    expect(redactor.holdsSecret('llama3.2:latest')).toBe(false);
    expect(redactor.holdsSecret('TEST')).toBe(false);
  });

  it('finds a long secret in a name in any case, and a key handed out later too', () => {
    const redactor = new Redactor();
    redactor.add('sk-configured-key-0123456789');
    expect(redactor.holdsSecret('gpt-4o SK-CONFIGURED-KEY-0123456789')).toBe(true);
    // Nothing of the configured key's forms: its reversal holds `98765432`, a piece a scrub cuts.
    const rotated = 'rk-rotated-Hq4Tw8Nz1Vc6Bm';
    expect(redactor.holdsSecret(`m-${rotated}`)).toBe(false);
    redactor.remember(rotated);
    expect(redactor.holdsSecret(`m-${rotated}`)).toBe(true);
  });

  it('finds a long secret in a name in every form a scrub redacts, and only then', () => {
    const key = 'sk-configured-key-0123456789';
    const rotated = 'rk-rotated-Hq4Tw8Nz1Vc6Bm';
    const redactor = new Redactor();
    redactor.add(key);
    redactor.remember(rotated);
    const bytes = (text: string) => Buffer.from(text);
    for (const secret of [key, rotated]) {
      const forms = [
        bytes(secret).toString('base64'),
        bytes(secret).toString('base64url'),
        bytes(secret).toString('hex'),
        bytes(secret).toString('hex').toUpperCase(),
        bytes(`Bearer ${secret}`).toString('base64'),
        encodeURIComponent(`"${secret}"`),
        secret.slice(3, 14),
      ];
      for (const form of forms) {
        // Each name held by a secret is one a scrub cuts out: the two agree.
        expect(redactor.redact(`m-${form}`), form).toContain('[redacted]');
        expect(redactor.holdsSecret(`m-${form}`), form).toBe(true);
      }
    }
    for (const name of ['llama3.2:latest', 'gpt-4o-mini', 'qwen2.5-coder:7b-instruct-q4_K_M']) {
      expect(redactor.redact(name)).toBe(name);
      expect(redactor.holdsSecret(name)).toBe(false);
    }
  });

  it('leaves English words after bearer or basic alone, and scrubs a token in any case', () => {
    const redactor = new Redactor();
    const prose = 'The bearer token is missing. Basic plan users, Basic realm="api".';
    expect(redactor.redact(prose)).toBe(prose);
    expect(redactor.redact('Authorization: bEARER sk-unknowntoken12345')).toBe(
      'Authorization: bEARER [redacted]',
    );
  });

  it('finds base64 wrapped with indentation after each line break', () => {
    const key = 'sk-wrapped-indented-31415926';
    const redactor = new Redactor();
    redactor.add(key);
    const base64 = Buffer.from(`Bearer ${key}`).toString('base64');
    const wrapped = base64.replace(/(.{7})/g, '$1\n    ');
    const out = redactor.redact(`auth:\n    ${wrapped}\nend`);
    expect(out.startsWith('auth:\n    ')).toBe(true);
    expect(out.endsWith('\nend')).toBe(true);
    const left = out.replace(/\[redacted\]|\s/g, '').replace(/^auth:|end$/g, '');
    expect(Buffer.from(left, 'base64').toString().toLowerCase()).not.toContain('wrapped');
  });

  it('maps every find back to the text it came from, whatever the line breaks around it', () => {
    const key = 'sk-prop-Zq7Xv9Lm3Pw8Rt2Y';
    const redactor = new Redactor();
    redactor.add(key);
    const forms = [
      key,
      Buffer.from(key).toString('base64'),
      Buffer.from(`Bearer ${key}`).toString('base64'),
    ];
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((t) => !/[A-Za-z0-9+/=]{8}/.test(t)),
        fc.string({ maxLength: 40 }).filter((t) => !/[A-Za-z0-9+/=]{8}/.test(t)),
        fc.constantFrom(...forms),
        fc.array(fc.constantFrom('\n', '\r\n', '\r', '\n  '), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (before, after, form, breaks, at) => {
          let echoed = form;
          breaks.forEach((b, i) => {
            const cut = (at[i] ?? 0) % (echoed.length + 1);
            echoed = echoed.slice(0, cut) + b + echoed.slice(cut);
          });
          const out = redactor.redact(`${before}|${echoed}|${after}`);
          const flat = out.replace(/\s/g, '');
          for (let i = 0; i + 8 <= key.length; i++) expect(flat).not.toContain(key.slice(i, i + 8));
          expect(out.startsWith(`${before}|`)).toBe(true);
          expect(out.endsWith(`|${after}`)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
