import { describe, expect, it } from 'vitest';
import { nameMemo } from './name-memo';

describe('nameMemo', () => {
  it('computes a short name once, and names past the bound or too long each time', () => {
    const computed: string[] = [];
    const upper = nameMemo((name) => {
      computed.push(name);
      return name.toUpperCase();
    }, 2);
    const long = 'x'.repeat(65);
    for (const name of ['a', 'b', 'a', 'c', 'c', long, long, 'b']) upper(name);
    expect(computed).toEqual(['a', 'b', 'c', 'c', long, long]);
    expect(upper('c')).toBe('C');
  });
});
