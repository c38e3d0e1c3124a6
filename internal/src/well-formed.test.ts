import { describe, expect, it } from 'vitest';
import { isWellFormed } from './well-formed';

describe('isWellFormed', () => {
  it('is false for a lone surrogate only, whichever half', () => {
    expect(isWellFormed('plain ascii')).toBe(true);
    expect(isWellFormed('emoji 😀 and é')).toBe(true);
    expect(isWellFormed('a\uD800')).toBe(false);
    expect(isWellFormed('\uDC00b')).toBe(false);
    expect(isWellFormed('\uDC00\uD800')).toBe(false);
  });
});
