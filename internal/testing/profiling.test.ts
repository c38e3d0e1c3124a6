import { describe, expect, it } from 'vitest';
import { cliArg, keepOnly, medianOf, rotatedRounds } from './profiling';

describe('rotatedRounds', () => {
  it('gives every subject one figure per round, after one warm-up round each', async () => {
    const calls: string[] = [];
    const figures = await rotatedRounds(
      {
        a: { fn: () => calls.push('a'), async: false },
        b: { fn: async () => calls.push('b'), async: true },
      },
      3,
      2,
    );
    expect([...figures.keys()]).toEqual(['a', 'b']);
    expect(figures.get('a')!.wall).toHaveLength(3);
    expect(figures.get('b')!.cpu).toHaveLength(3);
    // warm-up a a b b, then rounds a b, b a, a b (two calls each)
    expect(calls.join('')).toBe('aabbaabbbbaaaabb');
  });
});

describe('keepOnly', () => {
  it('keeps the named subjects, or all of them for an empty list', () => {
    const subjects = { a: 1, b: 2, c: 3 };
    keepOnly(subjects, '');
    expect(Object.keys(subjects)).toEqual(['a', 'b', 'c']);
    keepOnly(subjects, 'c,a');
    expect(Object.keys(subjects)).toEqual(['a', 'c']);
  });
});

describe('medianOf', () => {
  it('takes the middle value, the upper one of an even count', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(3);
  });
});

describe('cliArg', () => {
  it('reads --name=value, or the fallback', () => {
    process.argv.push('--rounds=7');
    try {
      expect(cliArg('rounds', '1')).toBe('7');
      expect(cliArg('calls', '9')).toBe('9');
    } finally {
      process.argv.pop();
    }
  });
});
