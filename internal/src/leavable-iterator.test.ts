import { describe, expect, it } from 'vitest';
import { isLeavable, LeavableIterator } from './leavable-iterator';

describe('isLeavable', () => {
  it('recognises a LeavableIterator, of this copy or of another package’s', () => {
    async function* empty() {}
    expect(isLeavable(new LeavableIterator().of(empty()))).toBe(true);
    // Another package's bundled copy: a class of its own, the same registered brand.
    class Copy {}
    Object.defineProperty(Copy.prototype, Symbol.for('@x/internal/LeavableIterator'), {
      value: true,
    });
    expect(isLeavable(new Copy())).toBe(true);
    expect(isLeavable(empty())).toBe(false);
    expect(isLeavable(undefined)).toBe(false);
  });
});
