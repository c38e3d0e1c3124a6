import { describe, expect, it } from 'vitest';
import { isWellFormed, loneSurrogates, toWellFormed } from './well-formed';

describe('isWellFormed', () => {
  it('is false for a lone surrogate only, whichever half', () => {
    expect(isWellFormed('plain ascii')).toBe(true);
    expect(isWellFormed('emoji 😀 and é')).toBe(true);
    expect(isWellFormed('a\uD800')).toBe(false);
    expect(isWellFormed('\uDC00b')).toBe(false);
    expect(isWellFormed('\uDC00\uD800')).toBe(false);
  });
});

describe('toWellFormed', () => {
  it('replaces each lone surrogate by U+FFFD, as UTF-8 writes it, and keeps pairs', () => {
    expect(toWellFormed('plain ascii')).toBe('plain ascii');
    expect(toWellFormed('emoji 😀 and é')).toBe('emoji 😀 and é');
    expect(toWellFormed('m\uD800')).toBe('m\uFFFD');
    expect(toWellFormed('m\uD801')).toBe(toWellFormed('m\uD800'));
    expect(toWellFormed('\uDC00\uD800')).toBe('\uFFFD\uFFFD');
    expect(toWellFormed('m\uD800')).toBe(Buffer.from('m\uD800', 'utf8').toString('utf8'));
  });
});

describe('loneSurrogates', () => {
  it('lists the index and code unit of each lone surrogate, and nothing for pairs', () => {
    expect(loneSurrogates('plain 😀')).toBe('');
    expect(loneSurrogates('a\uD800b\uDC00')).toBe('1=D800,3=DC00');
    expect(loneSurrogates('\uDFFF')).toBe('0=DFFF');
    // two strings the client writes as the same bytes get different lists
    expect(loneSurrogates('x\uD83D')).not.toBe(loneSurrogates('x\uFFFD'));
  });
});
