import { describe, expect, it } from 'vitest';
import { revokedProxy, throwingProxy } from '../testing/hostile-values';
import { brand, brandedInstanceOf, hasBrand, mark } from './brand';
import { isLeavable } from './leavable-iterator';

describe('brand', () => {
  it('is shared by every copy in the process and invisible to JSON', () => {
    const error = new Error('x');
    mark(error, brand('demo', 'DemoError'));
    expect(hasBrand(error, Symbol.for('@x/demo/DemoError'))).toBe(true);
    expect(hasBrand({}, brand('demo', 'DemoError'))).toBe(false);
    expect(hasBrand(null, brand('demo', 'DemoError'))).toBe(false);
    expect(Object.keys(error)).toEqual([]);
  });
});

describe('hasBrand', () => {
  const DEMO = brand('demo', 'DemoError');

  it.each([
    ['a revoked Proxy', () => revokedProxy()],
    ['a revoked Proxy function', () => revokedProxy(() => undefined)],
    ['a Proxy whose traps throw', () => throwingProxy()],
  ])('returns false for %s, never throwing', (_, make) => {
    const value = make();
    expect(hasBrand(value, DEMO)).toBe(false);
    // the guards built on it answer the same way
    expect(isLeavable(value)).toBe(false);
    class Demo {}
    expect(brandedInstanceOf(Demo, Demo, value, DEMO)).toBe(false);
  });

  it('is still true for a Proxy of a branded value whose traps pass through', () => {
    const error = new Error('x');
    mark(error, DEMO);
    expect(hasBrand(new Proxy(error, {}), DEMO)).toBe(true);
  });
});
