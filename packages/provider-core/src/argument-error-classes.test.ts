// The house rule for bad input (CONTRIBUTING.md, Options and errors): a value of the right type
// that is wrong is a RangeError; a wrong type or an unknown key is a TypeError. These are the
// shared options every provider passes to the core (`apiKey`, `name`, `headers`, `rateLimit.key`,
// `tokens.onOverflow`): the same mistake gets the same class in @x/provider-ollama and
// @x/provider-openai. The request checks are in validate.test.ts.

import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';

const SECRET = 'SECRET-0123456789abcdef';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

/** The error building a core with these options throws (it must throw). */
function refusal(options: Record<string, unknown>): Error {
  try {
    lineCore('http://127.0.0.1:9', options as never);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the core to refuse the options');
}

describe('ProviderCore options', () => {
  it.each([
    ['an empty apiKey', { apiKey: '' }, 'apiKey'],
    ['an apiKey with a CR', { apiKey: `${SECRET}\r` }, 'apiKey'],
    ['an apiKey with a NUL', { apiKey: `${SECRET}\0` }, 'apiKey'],
    ['an apiKey with a character above U+00FF', { apiKey: `${SECRET}€` }, 'apiKey'],
    ['an empty name', { name: '' }, 'name'],
    ['a header value with an LF', { headers: { 'x-team': `${SECRET}\n` } }, 'headers.x-team'],
    ['a header value with DEL', { headers: { 'x-team': `${SECRET}\x7f` } }, 'headers.x-team'],
    ['a header name that is not one', { headers: { 'x team': 'a' } }, 'headers'],
    ['a header the client writes', { headers: { connection: 'close' } }, 'headers.connection'],
    ['a header given twice', { headers: { 'x-a': 'a', 'X-A': 'b' } }, 'headers.X-A'],
    ['a credential too short to scrub', { headers: { 'x-api-key': 'k9Z' } }, 'headers.x-api-key'],
    ['an empty rateLimit.key', { rateLimit: { key: '' } }, 'rateLimit.key'],
    ['an onOverflow it does not know', { tokens: { onOverflow: 'cut' } }, 'tokens.onOverflow'],
  ])(
    'refuses %s with a RangeError naming the field, never showing a secret',
    (_, options, name) => {
      const error = refusal(options);
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toContain(`Expected \`${name}\` to be `);
      expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
    },
  );

  it.each([
    ['apiKey 5', { apiKey: 5 }, 'apiKey'],
    ['apiKey null', { apiKey: null }, 'apiKey'],
    ['name 5', { name: 5 }, 'name'],
    ['headers as a string', { headers: `Bearer ${SECRET}` }, 'headers'],
    ['a header value that is not a string', { headers: { 'x-jwt': 123456789 } }, 'headers.x-jwt'],
    ['rateLimit.key 5', { rateLimit: { key: 5 } }, 'rateLimit.key'],
    ['onOverflow true', { tokens: { onOverflow: true } }, 'tokens.onOverflow'],
  ])('refuses %s, not a string or an object, with a TypeError', (_, options, name) => {
    const error = refusal(options);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(`Expected \`${name}\` to be `);
    expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it('words the apiKey error the same for both classes, the key shown as [redacted]', () => {
    const what =
      'a non-empty string of HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF)';
    expect(refusal({ apiKey: `${SECRET}\n` })).toEqual(
      new RangeError(`Expected \`apiKey\` to be ${what}, got \`[redacted]\` (string)`),
    );
    expect(refusal({ apiKey: 42 })).toEqual(
      new TypeError(`Expected \`apiKey\` to be ${what}, got \`[redacted]\` (number)`),
    );
  });
});
