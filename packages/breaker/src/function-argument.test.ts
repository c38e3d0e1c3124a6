import { describe, expect, it } from 'vitest';
import { createBreaker } from './breaker';
import type { BreakerOptions } from './options';

describe('createBreaker(fn, options), as opossum takes them', () => {
  it('says the function goes to execute(), not to createBreaker()', () => {
    const call = () =>
      (createBreaker as unknown as (fn: unknown, o: unknown) => unknown)(async () => 1, {});
    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      'Expected `options` to be an object, got `[Function]` (function): createBreaker() takes options only; pass the function to breaker.execute(fn)',
    );
  });

  it('keeps the plain wording for other values that are not options', () => {
    expect(() => createBreaker([] as unknown as BreakerOptions)).toThrow(
      /^Expected `options` to be an object, got .*\(array\)$/,
    );
  });
});
