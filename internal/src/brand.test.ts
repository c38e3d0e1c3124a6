import { describe, expect, it } from 'vitest';
import { brand, hasBrand, mark } from './brand';

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
