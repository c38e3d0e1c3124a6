import { describe, expect, it } from 'vitest';
import { LazyIterable } from './lazy-iterable';

describe('LazyIterable', () => {
  it('starts nothing before it is iterated, and a new iterator for each loop', async () => {
    let started = 0;
    const iterable = new LazyIterable(async function* () {
      started++;
      yield started;
    });
    expect(started).toBe(0);
    const seen: number[] = [];
    for await (const n of iterable) seen.push(n);
    for await (const n of iterable) seen.push(n);
    expect(seen).toEqual([1, 2]);
  });
});
