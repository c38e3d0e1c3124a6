import { expectNoSecret } from '@x/internal/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unescapeJson } from './json-escapes';
import { Redactor } from './secrets';

/** `\uXXXX` of every character, in lower- or upper-case hex. */
const uEscaped = (text: string, upper = false) =>
  [...text]
    .map((c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    })
    .join('');

/** The views of `text` a secret must be absent from: as it is, and its escapes decoded twice. */
function decoded(text: string): string {
  const once = unescapeJson(text)?.text ?? text;
  return [text, once, unescapeJson(once)?.text ?? once].join('\n');
}

function redactorOf(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

describe('unescapeJson', () => {
  it("decodes JSON's escapes once, as a JSON string is read, and nothing else", () => {
    expect(unescapeJson('no escapes')).toBeUndefined();
    expect(unescapeJson('C:\\Users\\x and \\q')).toBeUndefined();
    expect(unescapeJson('a\\"b\\\\c\\/d\\u0041\\n')?.text).toBe('a"b\\c/dA\n');
    // `\\u0041` is a backslash, then the text `u0041`
    expect(unescapeJson('\\\\u0041')?.text).toBe('\\u0041');
    expect(JSON.parse(`"${'\\ud83d\\ude00 \\t'}"`)).toBe(unescapeJson('\\ud83d\\ude00 \\t')?.text);
  });
});

describe('Redactor with JSON escapes', () => {
  it('scrubs a key holding a quote or a backslash echoed inside JSON, short or long', () => {
    for (const key of ['k3y"W1th\\Qu0tes+Slash7', 'sh"rt\\1', 'p\u00e9ssw\u00f6rdKey12345678']) {
      const redactor = redactorOf(key);
      const headers = JSON.stringify({ authorization: `Bearer ${key}`, accept: 'json' });
      // as a server quotes it, and again inside a JSON body (JSON in a JSON string)
      for (const echo of [headers, JSON.stringify({ error: headers })]) {
        const out = redactor.redact(`bad headers ${echo}`);
        expect(out).toContain('"accept');
        expectNoSecret(decoded(out), key);
        expect(decoded(out)).not.toContain(key);
      }
    }
  });

  it('scrubs a key with every character \\u-escaped, in either case of hex', () => {
    const key = 'wJalrXUt/nFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const redactor = redactorOf(key);
    for (const upper of [false, true]) {
      const out = redactor.redact(`echo: ${uEscaped(`Bearer ${key}`, upper)} end`);
      // the key's escapes, exactly: the scheme's are left
      expect(out).toBe(`echo: ${uEscaped('Bearer ', upper)}[redacted] end`);
    }
  });

  it("scrubs a key whose slashes are escaped PHP's way, or only some characters escaped", () => {
    const key = 'wJalrXUt/nFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const redactor = redactorOf(key);
    expect(redactor.redact(`echo: Bearer ${key.replace(/\//g, '\\/')}!`)).toBe(
      'echo: Bearer [redacted]!',
    );
    expect(redactor.redact(`echo ${key.replace(/\+/g, '\\u002b')}`)).toBe('echo [redacted]');
  });

  it('finds a key whatever mix of its characters is escaped, and keeps the text around it', () => {
    const key = 'Zq"7x\\K2/mP9+v\u00e9R4tY8wB3n';
    const redactor = redactorOf(key);
    const escapesOf = (c: string): string[] => {
      const simple: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/' };
      // a backslash is always escaped: a raw one would escape what follows it
      return [simple[c] ?? c, uEscaped(c), uEscaped(c, true)];
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat(2), { minLength: key.length, maxLength: key.length }),
        fc.string({ maxLength: 20 }).filter((t) => !t.includes('\\')),
        fc.string({ maxLength: 20 }).filter((t) => !t.includes('\\')),
        (choices, before, after) => {
          const echo = [...key].map((c, i) => escapesOf(c)[choices[i]!]).join('');
          const out = redactor.redact(`${before}|${echo}|${after}`);
          expect(out).toBe(`${before}|[redacted]|${after}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
