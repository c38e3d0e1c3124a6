import { expectNoSecret } from '@x/internal/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from './secrets';
import { unescapeText } from './text-escapes';

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
  const once = unescapeText(text)?.text ?? text;
  return [text, once, unescapeText(once)?.text ?? once].join('\n');
}

function redactorOf(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

describe('unescapeText', () => {
  it("decodes JSON's escapes once, as a JSON string is read, and nothing else", () => {
    expect(unescapeText('no escapes')).toBeUndefined();
    expect(unescapeText('C:\\Users\\x and \\q')).toBeUndefined();
    expect(unescapeText('a\\"b\\\\c\\/d\\u0041\\n')?.text).toBe('a"b\\c/dA\n');
    // `\\u0041` is a backslash, then the text `u0041`
    expect(unescapeText('\\\\u0041')?.text).toBe('\\u0041');
    expect(JSON.parse(`"${'\\ud83d\\ude00 \\t'}"`)).toBe(unescapeText('\\ud83d\\ude00 \\t')?.text);
  });

  it("decodes Python repr's \\' too (pydantic's input_value='...')", () => {
    expect(unescapeText("input_value='it\\'s a\\nb'")?.text).toBe("input_value='it's a\nb'");
  });

  it("decodes Python repr's \\xNN and \\UNNNNNNNN (controls and unprintable characters)", () => {
    expect(unescapeText('a\\x00b\\x7F\\U0001f600\\U000E0001')?.text).toBe(
      'a\u0000b\u007f\u{1f600}\u{e0001}',
    );
    // not an escape: too few digits, or past U+10FFFF
    expect(unescapeText('C:\\x6 \\Users')).toBeUndefined();
    expect(unescapeText('\\U00110000 \\x41')?.text).toBe('\\U00110000 A');
  });
});

describe('unescapeText: percent-escapes and HTML references', () => {
  it('decodes any percent-escape in either case of hex, a UTF-8 character whole', () => {
    expect(unescapeText('sk%2dlive%2D%41b %C3%a9 %F0%9F%98%80')?.text).toBe(
      'sk-live-Ab \u00e9 \u{1f600}',
    );
    // bytes that start no UTF-8 character (cut, overlong, a surrogate's) are left as written
    expect(unescapeText('%C3 %E2%82 %C0%AF %ED%A0%80')).toBeUndefined();
    expect(unescapeText('50% off, 100%%')).toBeUndefined();
    // escaped twice: once decoded, the escape of an escape
    expect(unescapeText('%252D')?.text).toBe('%2D');
  });

  it('decodes numeric HTML references, with their semicolon or not, and the five XML names', () => {
    expect(unescapeText('&#115;&#x6B;&#X2d&#8203;')?.text).toBe('sk-\u200b');
    expect(unescapeText('&amp;&lt;&gt;&quot;&apos; &nbsp; &#xD800; &#1114112;')?.text).toBe(
      `&<>"' &nbsp; &#xD800; &#1114112;`,
    );
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

  it('finds a key whatever mix of JSON, percent and HTML escapes spells it, and keeps the text around it', () => {
    const key = 'Zq7x-K2/mP9+v\u00e9R4tY8wB3n';
    const redactor = redactorOf(key);
    const escapesOf = (c: string): string[] => {
      const bytes = [...Buffer.from(c)];
      const code = c.codePointAt(0)!;
      return [
        c,
        uEscaped(c),
        bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
        bytes.map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
        `&#${code};`,
        `&#x${code.toString(16)};`,
      ];
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat(5), { minLength: key.length, maxLength: key.length }),
        fc.string({ maxLength: 20 }).filter((t) => !/[\\%&]/.test(t)),
        fc.string({ maxLength: 20 }).filter((t) => !/[\\%&]/.test(t)),
        (choices, before, after) => {
          const echo = [...key].map((c, i) => escapesOf(c)[choices[i]!]).join('');
          expect(redactor.redact(`${before}|${echo}|${after}`)).toBe(
            `${before}|[redacted]|${after}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
