import { describe, expect, it } from 'vitest';
import { cloneAnswer } from './clone-answer';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

describe('cloneAnswer', () => {
  // (Deep values are never handed to `expect`: its messages would walk them recursively.)
  it('copies a value nested deeper than structuredClone takes', () => {
    const value = { a: nested(20_000), e: new Float32Array([1, 2]), s: 'x', n: null };
    expect(() => structuredClone(value)).toThrow(RangeError);
    const copy = cloneAnswer(value);
    expect(copy === value).toBe(false);
    expect(copy.e).toBeInstanceOf(Float32Array);
    expect(copy.e).not.toBe(value.e);
    expect([...copy.e]).toEqual([1, 2]);
    let v: unknown = copy.a;
    let depth = 0;
    for (; Array.isArray(v); v = v[0]) depth++;
    expect({ depth, v }).toEqual({ depth: 20_000, v: 1 });
    expect(copy.a === value.a).toBe(false);
  });

  it('still throws what structuredClone throws for a value that has no copy', () => {
    expect(() => cloneAnswer({ f: () => 1 })).toThrow(DOMException);
  });
});
