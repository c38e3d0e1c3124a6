import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BoundMemoryStore, createMemoryStore } from './memory-store';
import { createRateLimiter } from './rate-limiter';

const limits = [
  { name: 'requests', ratePerSecond: 10, capacity: 10 },
  { name: 'tokens', ratePerSecond: 1000, capacity: 10_000 },
];

describe('createMemoryStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('throws a RangeError when sweepPerOperation is negative', () => {
    expect(() => createMemoryStore({ sweepPerOperation: -1 })).toThrow(
      'Expected `sweepPerOperation` to be a finite number >= 0, got `-1` (number)',
    );
  });

  // Eviction checks every limit of a key: covered with one limit and with two.
  const shapes = [
    { shape: 'two limits', bound: limits, cost: [1, 100], crumb: [0.001, 0] },
    { shape: 'one limit', bound: limits.slice(0, 1), cost: [1], crumb: [0.001] },
  ];

  it.each(shapes)(
    'evicts keys whose buckets are full again during later operations, with no timer ($shape)',
    ({ bound, cost, crumb }) => {
      const store = createMemoryStore().bind(bound);
      for (let i = 0; i < 1000; i++) store.take(`idle-${i}`, cost);
      expect(store.stats().keys).toBe(1000);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(10_000); // every idle key is full again
      for (let i = 0; i < 1100; i++) store.take('busy', crumb);
      expect(store.stats()).toMatchObject({ keys: 1, evicted: 1000 });
    },
  );

  it.each(shapes)(
    'keeps a key one hundredth of a token short of full, and drops it once full ($shape)',
    ({ bound, cost, crumb }) => {
      const store = createMemoryStore({ sweepPerOperation: 16 }).bind(bound);
      store.take('almost', cost); // one request short: full again after 100 ms
      vi.advanceTimersByTime(99);
      for (let i = 0; i < 16; i++) store.take('busy', crumb);
      expect(store.stats()).toMatchObject({ keys: 2, evicted: 0 });
      vi.advanceTimersByTime(1);
      for (let i = 0; i < 16; i++) store.take('busy', crumb);
      expect(store.stats()).toMatchObject({ keys: 1, evicted: 1 });
    },
  );

  it('keeps keys that are still refilling', () => {
    const store = createMemoryStore().bind(limits);
    store.take('slow', [10, 0]);
    vi.advanceTimersByTime(500); // 5 of 10 requests back
    for (let i = 0; i < 100; i++) store.take(`other-${i}`, [1, 0]);
    expect(store.prune()).toBe(0);
    expect(store.waitTime('slow', [10, 0])).toBe(500);
  });

  it('drops every idle key on prune() and a fully refunded key at once', () => {
    const store = createMemoryStore({ sweepPerOperation: 0 }).bind(limits);
    for (let i = 0; i < 10; i++) store.take(`k${i}`, [1, 1]);
    store.adjust('k0', [-1, -1]);
    expect(store.stats().keys).toBe(9);
    vi.advanceTimersByTime(1000);
    expect(store.prune()).toBe(9);
    expect(store.stats().keys).toBe(0);
  });

  it("keeps every other key intact when an evicted key's slot is given to a new key", () => {
    const store = createMemoryStore({ sweepPerOperation: 16 }).bind(limits);
    store.take('idle', [1, 100]);
    store.take('busy', [10, 0]); // empty: 1 s to refill
    vi.advanceTimersByTime(500); // idle is full again, busy half full
    for (let i = 0; i < 16; i++) store.take('busy', [0, 0]); // one sweep batch
    expect(store.stats()).toMatchObject({ keys: 1, evicted: 1 });
    store.take('new', [3, 0]); // takes the freed slot
    expect(store.waitTime('busy', [10, 0])).toBe(500);
    expect(store.waitTime('new', [8, 0])).toBe(100);
    expect(store.waitTime('idle', [10, 10_000])).toBe(0);
  });

  it.each(shapes)(
    'decides exactly as a store that never evicts, whatever the calls and the time ($shape, property)',
    ({ bound }) => {
      const op = fc.record({
        key: fc.integer({ min: 0, max: 40 }),
        costs: fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10_000 })),
        advanceMs: fc.integer({ min: 0, max: 1500 }),
      });
      const full = [10, 10_000].slice(0, bound.length);
      fc.assert(
        fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
          vi.setSystemTime(0);
          const sweeping = createMemoryStore({ sweepPerOperation: 16 }).bind(bound);
          const keeping = createMemoryStore({ sweepPerOperation: 0 }).bind(bound);
          for (const { key, costs, advanceMs } of ops) {
            vi.advanceTimersByTime(advanceMs);
            const vector = costs.slice(0, bound.length);
            expect(sweeping.take(`k${key}`, vector)).toBe(keeping.take(`k${key}`, vector));
          }
          for (let key = 0; key <= 40; key++) {
            expect(sweeping.waitTime(`k${key}`, full)).toBe(keeping.waitTime(`k${key}`, full));
          }
          expect(sweeping.stats().keys).toBeLessThanOrEqual(keeping.stats().keys);
        }),
      );
    },
  );

  it('behaves like a fresh key after eviction (no state lost that mattered)', async () => {
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 2 } } });
    expect(await limiter.tryAcquire('a')).toBe(true);
    vi.advanceTimersByTime(1000);
    for (let i = 0; i < 64; i++) await limiter.tryAcquire(`x${i}`);
    expect(await limiter.tryAcquire('a')).toBe(true);
    expect(await limiter.tryAcquire('a')).toBe(true);
    expect(await limiter.tryAcquire('a')).toBe(false);
  });
});

describe('a flood of new keys (rotating IPs or API keys, one request each)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // one request of 5 at 1/s: a key is full again 1 s after its request
  const perUser = [{ name: 'requests', ratePerSecond: 1, capacity: 5 }];
  /** 50 000 keys, 10 per ms: at any moment the last 10 000 (one second's) are not full yet. */
  function flood(store: BoundMemoryStore): number {
    let most = 0;
    for (let i = 0; i < 50_000; i++) {
      if (i % 10 === 0) vi.advanceTimersByTime(1);
      expect(store.take(`ip-${i}`, [1])).toBe(0);
      if (i >= 20_000) most = Math.max(most, store.stats().keys);
    }
    return most;
  }

  it('keeps about the keys not yet full again, at most (1 + 1 / sweepPerOperation) times them', () => {
    const store = createMemoryStore().bind(perUser);
    const most = flood(store);
    // 10 000 keys refill; the sweep comes round within about `keys / sweepPerOperation` calls
    expect(most).toBeGreaterThanOrEqual(10_000);
    expect(most).toBeLessThanOrEqual(20_000 + 32);
    expect(store.stats().evicted).toBe(50_000 - store.stats().keys);
  });

  it('comes round faster with a larger sweepPerOperation', () => {
    const store = createMemoryStore({ sweepPerOperation: 4 }).bind(perUser);
    expect(flood(store)).toBeLessThanOrEqual(12_500 + 32);
  });

  it('drops the idle keys at sweepPerOperation keys per later call once the flood stops', () => {
    const store = createMemoryStore().bind(perUser);
    flood(store);
    const held = store.stats().keys;
    vi.advanceTimersByTime(1000); // every key is full again
    const evicted = store.stats().evicted;
    // one request short of full while the clock stands still, 'hot' itself is kept
    store.take('hot', [1]);
    for (let i = 1; i < 1600; i++) store.take('hot', [0]);
    // 'hot' is new: 1600 calls and one key added, examined in batches of 16
    expect(store.stats().evicted - evicted).toBeGreaterThanOrEqual(1600 - 16);
    expect(store.stats().evicted - evicted).toBeLessThanOrEqual(1601);
    // the flood left at most 20 000 keys (above): that many calls drop them all
    expect(held).toBeLessThanOrEqual(20_000 + 32);
    for (let i = 1600; i < 20_000 + 64; i++) store.take('hot', [0]);
    expect(store.stats()).toEqual({ kind: 'memory', keys: 1, evicted: 50_000 });
  });
});

describe('memory per idle key', () => {
  it('stays at or under 150 bytes per idle key for 100 000 keys (two limits, key strings included)', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run with node --expose-gc (vitest.config.ts sets it)').toBeTypeOf('function');
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const store = createMemoryStore({ sweepPerOperation: 0 }).bind(limits);
    gc!();
    const before = used();
    for (let i = 0; i < 100_000; i++) store.take(`user:${i}`, [1, 250]);
    gc!();
    const perKey = (used() - before) / 100_000;
    console.info(`memory store: ${perKey.toFixed(1)} bytes per idle key (100 000 keys, 2 limits)`);
    expect(store.stats().keys).toBe(100_000);
    expect(perKey).toBeLessThanOrEqual(150);
  });
});
