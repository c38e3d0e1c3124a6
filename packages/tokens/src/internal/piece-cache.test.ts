import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PieceCache } from './piece-cache';

describe('PieceCache', () => {
  it('never holds more than twice its capacity whatever is stored', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.string(), { maxLength: 500 }),
        (capacity, keys) => {
          const cache = new PieceCache(capacity);
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
    const cache = new PieceCache(3);
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
});
