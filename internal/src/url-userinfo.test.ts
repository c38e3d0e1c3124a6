import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayUrl } from './display-url';
import { REDACTED } from './redacted';
import { redactUrlCredentials } from './secret-text';

// What a password may hold unescaped: `@`, `#`, `/`, `?`, `:`, `\`, `=`, `&`... (`[` and `]`
// are left out only so that no piece of it can be read in the `[redacted]` that replaces it).
const PASSWORD = fc
  .string({
    unit: fc.constantFrom(...'abcXYZ019@#/?:\\=&%!.-_'.split('')),
    minLength: 4,
    maxLength: 16,
  })
  // The one shape read as a host (see userinfoEnd): digits up to a `/`, `bob:123/x@h`.
  .filter((password) => !/^\d+\//.test(password));

const URL_PARTS = fc.record({
  scheme: fc.constantFrom('http://', 'https://', 'redis://', '', 'http:/', 'http:///'),
  user: fc.constantFrom('', 'bob', 'a.b@mail.test'),
  password: PASSWORD,
  host: fc.constantFrom('h', 'api.example.com', '127.0.0.1', '[::1]', 'api example.com'),
  port: fc.constantFrom('', ':11434', ':99999'),
  path: fc.constantFrom('', '/', '/v1', '/users/@me', '/react@18/umd'),
  query: fc.constantFrom('', '?k=v', '?mail=a@b.example&key=Q', '?to=x@y'),
  fragment: fc.constantFrom('', '#top', '#a@b'),
});

type Parts = typeof URL_PARTS extends fc.Arbitrary<infer T> ? T : never;

/** Where a text is a URL of its own (`bob://x/y@h`: the scheme `bob`), it is read as one. */
function readsAsUserinfo(p: Parts): boolean {
  return !(p.scheme === '' && p.password.startsWith('//'));
}

/** redactUrlCredentials reads URLs in a text: after `scheme://`, up to a space. */
function inText(p: Parts): boolean {
  return p.scheme.includes('://') && !p.host.includes(' ');
}

function write(p: Parts): string {
  return `${p.scheme}${p.user}:${p.password}@${p.host}${p.port}${p.path}${p.query}${p.fragment}`;
}

/** Every piece of 4 characters of the password that only the password holds. */
function secretPieces(p: Parts): string[] {
  const shown = `${p.scheme}${REDACTED}@${p.host}${p.port}${p.path}${p.query}${p.fragment}`;
  const pieces: string[] = [];
  for (let i = 0; i + 4 <= p.password.length; i++) {
    const piece = p.password.slice(i, i + 4);
    if (!shown.includes(piece)) pieces.push(piece);
  }
  return pieces;
}

describe('the userinfo of a URL (displayUrl, redactUrlCredentials)', () => {
  it('never shows a piece of a password holding @, #, / or ? unescaped', () => {
    fc.assert(
      fc.property(URL_PARTS, (p) => {
        fc.pre(readsAsUserinfo(p));
        const text = write(p);
        const outputs = [displayUrl(text)];
        if (inText(p)) outputs.push(redactUrlCredentials(text));
        for (const output of outputs) {
          for (const piece of secretPieces(p)) expect(output).not.toContain(piece);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('shows the host when no @ follows it', () => {
    fc.assert(
      fc.property(URL_PARTS, (p) => {
        fc.pre(readsAsUserinfo(p) && !`${p.path}${p.query}${p.fragment}`.includes('@'));
        const text = write(p);
        expect(displayUrl(text)).toContain(`${REDACTED}@${p.host}${p.port}${p.path}`);
        if (inText(p)) {
          expect(redactUrlCredentials(text)).toBe(
            `${p.scheme}${REDACTED}@${p.host}${p.port}${p.path}${p.query}${p.fragment}`,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves a URL without userinfo as it is, an @ in its path or query included', () => {
    fc.assert(
      fc.property(URL_PARTS, (p) => {
        fc.pre(inText(p));
        const text = `${p.scheme}${p.host}${p.port}${p.path || '/'}${p.query}${p.fragment}`;
        expect(redactUrlCredentials(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['http://bob:p@ss/w0rd#Sec@h/v1', 'http://[redacted]@h/v1'],
    ['bob:p@ss/w0rd#Sec@h:11434', '[redacted]@h:11434'],
    ['https://bob:p@ss?w0rd@h/v1', 'https://[redacted]@h/v1'],
    ['redis://:12/34@h', 'redis://[redacted]@h'],
    ['http://bob:/x@h', 'http://[redacted]@h'],
    // An @ of the path hides the host too: the text reads both ways.
    ['https://u:pw@unpkg.com/react@18/umd', 'https://[redacted]@18/umd'],
    ['https://u:pw@h/v1?mail=a@b.example&key=SECRET', 'https://[redacted]@h/v1?[redacted]'],
    // No @ is followed by a host: nothing after the scheme shows.
    ['https://h?mail=a@b.example&key=SECRET', 'https://[redacted]'],
  ])('shows %j as %j', (text, shown) => {
    expect(displayUrl(text)).toBe(shown);
  });
});
