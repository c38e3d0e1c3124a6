import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountMemo } from './count-memo';

describe('CountMemo', () => {
  it('never holds more than twice its capacity whatever is stored', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.string(), { maxLength: 500 }),
        (capacity, keys) => {
          const cache = new CountMemo(capacity);
          for (const key of keys) {
            cache.get(key);
            cache.set(key, key.length);
            expect(cache.size).toBeLessThanOrEqual(2 * capacity);
          }
        },
      ),
    );
  });

  it('keeps a piece that is read again when newer pieces push the generations on', () => {
    const cache = new CountMemo(3);
    cache.set('hot', 1);
    for (let i = 0; i < 20; i++) {
      cache.set(`cold-${i}`, 2);
      expect(cache.get('hot')).toBe(1);
    }
    expect(cache.get('cold-0')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('hot')).toBeUndefined();
  });

  it('holds at most twice its character budget and never stores a key longer than it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 300 }),
        (maxChars, keys) => {
          const memo = new CountMemo(1_000, maxChars);
          for (const key of keys) {
            memo.get(key);
            memo.set(key, key.length);
            expect(memo.chars).toBeLessThanOrEqual(2 * maxChars);
            expect(memo.get(key)).toBe(key.length > maxChars ? undefined : key.length);
          }
        },
      ),
    );
  });
});
