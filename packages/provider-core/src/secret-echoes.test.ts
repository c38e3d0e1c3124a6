import { expectNoSecret } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { Redactor } from './secrets';

// A key echoed escaped in ways that keep no eight of its characters as they are, however the
// escapes are spelled: each echo must come out as one `[redacted]`, with nothing of the key left
// in any decoding of what remains.

const KEY = 'sk-live-AbCdEfGh1234567890ZyXwVuTsRq';
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];

/** Each byte as `%xx`, its hex in upper case for the bytes `upper` picks. */
const percent = (text: string, upper: (i: number) => boolean = () => true) =>
  Array.from(Buffer.from(text), (byte, i) => {
    const hex = byte.toString(16).padStart(2, '0');
    return `%${upper(i) ? hex.toUpperCase() : hex}`;
  }).join('');

/** Hex bytes apart, as a dump shows them. */
const hexApart = (text: string, separator: string, upper = false) => {
  const hex = Array.from(Buffer.from(text), (b) => b.toString(16).padStart(2, '0')).join(separator);
  return upper ? hex.toUpperCase() : hex;
};

/** What a reader could decode out of `text` besides what `expectNoSecret` looks through. */
function decodings(text: string): string {
  const unpercent = (t: string) =>
    t.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  const html = text.replace(/&#(x?)([0-9a-f]+);?/gi, (_, x: string, n: string) =>
    String.fromCodePoint(Number.parseInt(n, x === '' ? 10 : 16)),
  );
  const hex = (text.replace(/[: -]/g, '').match(/[0-9a-f]{8,}/gi) ?? []).flatMap((run) =>
    [0, 1].map((offset) => Buffer.from(run.slice(offset), 'hex').toString('latin1')),
  );
  const visible = text.replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '');
  return [text, unpercent(text), unpercent(unpercent(text)), html, ...hex, visible].join('\n');
}

function scrubbed(echo: string, secret = KEY): string {
  const redactor = new Redactor();
  redactor.add(secret);
  const out = redactor.redact(`token was ${echo} end`);
  expectNoSecret(decodings(out), secret);
  // a key handed out by a key callback is looked for the same way
  expect(new Redactor().redactFor(secret)(`token was ${echo} end`)).toBe(out);
  return out;
}

describe('Redactor: a key echoed escaped, encoded twice, or split', () => {
  const echoes: Record<string, string> = {
    "percent-encoded with '-' as %2D": encodeURIComponent(KEY).replace(/-/g, '%2D'),
    'one character in three percent-encoded': [...KEY]
      .map((c, i) => (i % 3 === 1 ? percent(c, () => i % 2 === 0) : c))
      .join(''),
    'URL-encoded twice': encodeURIComponent(percent(KEY)),
    "URL-encoded twice, '-' as %252D": encodeURIComponent(
      encodeURIComponent(KEY).replace(/-/g, '%2D'),
    ),
    'hex bytes apart by colons': hexApart(KEY, ':'),
    'hex bytes apart by spaces, upper case': hexApart(KEY, ' ', true),
    'hex bytes apart by dashes': hexApart(KEY, '-'),
    'decimal HTML references': [...KEY].map((c) => `&#${c.charCodeAt(0)};`).join(''),
    'decimal HTML references padded with zeros': [...KEY]
      .map((c) => `&#${String(c.charCodeAt(0)).padStart(10, '0')};`)
      .join(''),
    'hex HTML references padded with zeros': [...KEY]
      .map((c) => `&#x${c.charCodeAt(0).toString(16).padStart(9, '0')};`)
      .join(''),
    'hex HTML references, some without their semicolon': [...KEY]
      .map((c, i) => `&#${i % 2 ? 'x' : 'X'}${c.charCodeAt(0).toString(16)}${i % 3 ? ';' : ''}`)
      .join(''),
    ...Object.fromEntries(
      INVISIBLE.map((c) => [
        `split by U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`,
        [...KEY].join(c),
      ]),
    ),
    'split by zero-width spaces, JSON-escaped': [...KEY].join('\\u200b'),
    'split by zero-width spaces, as HTML references': [...KEY].join('&#8203;'),
  };
  for (const [what, echo] of Object.entries(echoes)) {
    it(`scrubs a key ${what}, whole`, () => {
      expect(scrubbed(echo)).toBe('token was [redacted] end');
    });
  }

  it('scrubs a short key (matched as written) with every byte percent-encoded, hex in mixed case', () => {
    const short = 'sk-a1b2c3d4e5';
    expect(
      scrubbed(
        percent(short, (i) => i % 2 === 0),
        short,
      ),
    ).toBe('token was [redacted] end');
  });

  it('scrubs a piece of eight characters or more in each of those forms', () => {
    const piece = KEY.slice(12, 24);
    const forms = [
      percent(piece, (i) => i > 3),
      percent(KEY.slice(0, 9)).replace('%2D', '-').replace('%73', 's'),
      encodeURIComponent(percent(piece)),
      hexApart(piece, ':', true),
      hexApart(piece, ' '),
      [...piece].map((c) => `&#${c.charCodeAt(0)};`).join(''),
      [...piece].join('\u00ad'),
    ];
    for (const echo of forms) expect(scrubbed(echo)).toBe('token was [redacted] end');
  });

  it("scrubs a key holding '&' in an HTML page, and one past ASCII percent-encoded in part", () => {
    const amp = 'pw&Zq7Xv9Lm3Pw8Rt2Y';
    expect(scrubbed('pw&amp;Zq7Xv9Lm3Pw8Rt2Y', amp)).toBe('token was [redacted] end');
    const accented = 'p\u00e9ssw\u00f6rd-Zq7Xv9Lm3';
    const echo = `p${percent('\u00e9')}ss%77%C3%b6rd%2dZq7X%769Lm3`;
    expect(scrubbed(echo, accented)).toBe('token was [redacted] end');
  });

  it('leaves escapes that hold no key as they are', () => {
    const redactor = new Redactor();
    redactor.add(KEY);
    const text = 'a%20b &amp; 50% &#233; de:ad:be:ef \u200bx %E2%82 &#xD800; \\u0041';
    expect(redactor.redact(text)).toBe(text);
  });
});
