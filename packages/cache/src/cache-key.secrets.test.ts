// Credentials around a request: top-level credential fields are left out of the key, and a
// credential used as a member name is never echoed by a CacheKeyError.
import { describe, expect, it } from 'vitest';
import { cacheKey, isIgnoredField } from './cache-key';
import { isCacheKeyError } from './errors';

const secret = 'sk-proj-0123456789abcdefABCDEF0123';

function keyError(request: object): Error {
  try {
    cacheKey(request);
  } catch (error) {
    if (isCacheKeyError(error)) return error;
    throw error;
  }
  throw new Error('expected a CacheKeyError');
}

describe('credential fields', () => {
  const fields = [
    'authToken',
    'auth_token',
    'idToken',
    'id_token',
    'privateKey',
    'private_key',
    'bearer',
    'Bearer',
    'api_token',
    'apiToken',
    'API-TOKEN',
  ];

  it.each(fields)('leaves `%s` out of the key', (field) => {
    expect(isIgnoredField(field)).toBe(true);
    expect(cacheKey({ model: 'm', [field]: 'A' })).toBe(cacheKey({ model: 'm', [field]: 'B' }));
    expect(cacheKey({ model: 'm', [field]: 'A' })).toBe(cacheKey({ model: 'm' }));
  });

  it('keeps fields that only contain such a word', () => {
    for (const field of ['tokenizer', 'max_tokens', 'keyword', 'bearing']) {
      expect(isIgnoredField(field)).toBe(false);
    }
  });
});

describe('a credential as a member name', () => {
  it('is shown as [redacted] in the path of an unkeyable value', () => {
    const message = keyError({ model: 'm', options: { [secret]: new Map() } }).message;
    expect(message).not.toContain(secret);
    expect(message).toMatch(/^Expected `request\.options\["\[redacted\]"\]` .*, got a Map/);
  });

  it('is shown as [redacted] after a scheme, and at the top level', () => {
    const bearer = keyError({ model: 'm', options: { [`Bearer ${secret}`]: new Set() } }).message;
    expect(bearer).not.toContain(secret);
    expect(bearer).toContain('request.options["Bearer [redacted]"]');
    const top = keyError({ model: 'm', [secret]: Number.NaN }).message;
    expect(top).not.toContain(secret);
    expect(top).toMatch(/^Expected `request\["\[redacted\]"\]` to be a finite number/);
  });

  it('leaves ordinary member names as they are', () => {
    expect(
      keyError({ model: 'm', options: { num_ctx: Number.POSITIVE_INFINITY } }).message,
    ).toMatch(/^Expected `request\.options\.num_ctx` to be a finite number/);
  });
});
