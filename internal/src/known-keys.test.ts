import { describe, expect, it } from 'vitest';
import {
  closestKey,
  editDistance,
  expectKnownKeys,
  firstOfTwoKeys,
  UNKNOWN_KEY_LEAD,
  unknownKeyError,
} from './known-keys';
import { messageParts } from './option-error';

describe('editDistance', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('cahce', 'cache')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestKey', () => {
  it('finds a typo and a longer spelling, and nothing for an unrelated word', () => {
    expect(closestKey('cahce', ['cache', 'breaker', 'pool'])).toBe('cache');
    expect(closestKey('timeout', ['timeoutMs', 'maxQueue'])).toBe('timeoutMs');
    expect(closestKey('zzzzzz', ['cache', 'pool'])).toBeUndefined();
  });

  it('takes the start of a known key for the key, unless a closer one is known', () => {
    expect(closestKey('rate', ['ratePerSecond', 'capacity'])).toBe('ratePerSecond');
    expect(closestKey('rate', ['ratePerSecond', 'rates'])).toBe('rates');
    // two letters start too many names to be a hint
    expect(closestKey('ra', ['ratePerSecond', 'capacity'])).toBeUndefined();
  });
});

describe('expectKnownKeys', () => {
  it('names the unknown key with its path and the closest known key', () => {
    expect(() =>
      expectKnownKeys('rateLimit', { capacityy: 1 }, ['capacity', 'requestsPerSecond']),
    ).toThrow(
      new TypeError('Unknown option `rateLimit.capacityy`: did you mean `rateLimit.capacity`?'),
    );
  });

  it('lists the known keys when none is close', () => {
    expect(() => expectKnownKeys(undefined, { zzzzzz: 1 }, ['cache', 'pool'])).toThrow(
      'Unknown option `zzzzzz`: known keys: `cache`, `pool`',
    );
  });

  it('accepts known keys, also when their value is undefined', () => {
    expect(() => expectKnownKeys(undefined, { cache: undefined }, ['cache'])).not.toThrow();
  });
});

describe('expectKnownKeys with aliases', () => {
  const known = ['maxTtlMs', 'minTtlMs', 'ttl'];

  it('suggests the aliased key over the closest spelling', () => {
    expect(closestKey('ttlMs', known)).toBe('ttl');
    expect(() => expectKnownKeys(undefined, { ttlMs: 1 }, known, { ttlMs: 'maxTtlMs' })).toThrow(
      new TypeError('Unknown option `ttlMs`: did you mean `maxTtlMs`?'),
    );
  });

  it('ignores an alias naming no known key, and inherited names such as constructor', () => {
    expect(closestKey('ttlMs', known, { ttlMs: 'gone' })).toBe('ttl');
    expect(closestKey('constructor', known, {})).toBeUndefined();
  });
});

describe('firstOfTwoKeys', () => {
  it('names the first of exactly two enumerable keys, in the order for...in lists them', () => {
    expect(firstOfTwoKeys({ role: 'user', content: '' })).toBe('role');
    expect(firstOfTwoKeys({ content: '', role: 'user' })).toBe('content');
    expect(firstOfTwoKeys(Object.assign(Object.create({ inherited: 1 }), { own: 1 }))).toBe('own');
  });

  it('is undefined for fewer or more keys', () => {
    expect(firstOfTwoKeys({})).toBeUndefined();
    expect(firstOfTwoKeys({ role: 'user' })).toBeUndefined();
    expect(firstOfTwoKeys({ role: 'user', content: '', name: 'a' })).toBeUndefined();
    expect(firstOfTwoKeys(Object.defineProperty({ a: 1 }, 'b', { value: 2 }))).toBeUndefined();
  });
});

describe('unknownKeyError', () => {
  it('returns the error expectKnownKeys throws, without throwing', () => {
    const error = unknownKeyError('request', 'tgas', ['tags']);
    expect(error).toEqual(
      new TypeError('Unknown option `request.tgas`: did you mean `request.tags`?'),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(() => expectKnownKeys('request', { tgas: 1 }, ['tags'])).toThrow(error);
    expect(messageParts(error)).toEqual([
      UNKNOWN_KEY_LEAD,
      'request.tgas',
      '`: did you mean `',
      'request.tags',
      '`?',
    ]);
  });

  it('lists the known keys when none is close, and takes aliases', () => {
    expect(unknownKeyError(undefined, 'zzzzzz', ['type', 'size']).message).toBe(
      'Unknown option `zzzzzz`: known keys: `type`, `size`',
    );
    expect(
      unknownKeyError(undefined, 'ttlMs', ['maxTtlMs', 'ttl'], { ttlMs: 'maxTtlMs' }).message,
    ).toBe('Unknown option `ttlMs`: did you mean `maxTtlMs`?');
  });
});
