import { afterEach, describe, expect, it } from 'vitest';
import { getGlobalPool, setGlobalPool } from './global';
import { createPool } from './pool';

afterEach(async () => {
  await getGlobalPool().close();
});

describe('getGlobalPool', () => {
  it('returns the same pool on every call', () => {
    expect(getGlobalPool()).toBe(getGlobalPool());
  });

  it('replaces a closed global pool with a fresh one', async () => {
    const first = getGlobalPool();
    await first.close();
    const second = getGlobalPool();
    expect(second).not.toBe(first);
    expect(second.closed).toBe(false);
  });
});

describe('setGlobalPool', () => {
  it('installs the given pool and returns the previous one unclosed', async () => {
    const previous = getGlobalPool();
    const mine = createPool({ maxConnections: 7 });
    expect(setGlobalPool(mine)).toBe(previous);
    expect(getGlobalPool()).toBe(mine);
    expect(getGlobalPool().stats().limits.maxConnections).toBe(7);
    expect(previous.closed).toBe(false);
    await previous.close();
  });

  it('throws a TypeError when given something that is not a pool', () => {
    expect(() => setGlobalPool({} as never)).toThrow(TypeError);
    expect(() => setGlobalPool(null as never)).toThrow(
      'Expected `pool` to be a pool from createPool(), got `null` (null)',
    );
  });
});
