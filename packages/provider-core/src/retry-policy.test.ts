import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, RetryBudget } from './retry-policy';

describe('backoffDelay', () => {
  it('stays within [0, min(max, base * 2^n)) for any randomness (full jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, max, r) => {
          const delay = backoffDelay(retry, base, max, () => r);
          const cap = Math.min(max, base * 2 ** retry);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
          if (cap >= 1) expect(delay).toBeLessThan(cap);
        },
      ),
    );
  });

  it('grows the cap exponentially until maxDelayMs', () => {
    const top = () => 0.999999;
    expect(backoffDelay(0, 100, 10_000, top)).toBe(99);
    expect(backoffDelay(3, 100, 10_000, top)).toBe(799);
    expect(backoffDelay(20, 100, 10_000, top)).toBe(9999);
  });
});

describe('RetryBudget', () => {
  it('never lets retries exceed reserve + ratio * requests', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.boolean(), { maxLength: 500 }),
        (ratio, reserve, ops) => {
          const budget = new RetryBudget(ratio, reserve);
          let requests = 0;
          let retries = 0;
          for (const isRequest of ops) {
            if (isRequest) {
              budget.deposit();
              requests++;
            } else if (budget.tryWithdraw()) retries++;
          }
          expect(retries).toBeLessThanOrEqual(reserve + ratio * requests + 1e-9);
        },
      ),
    );
  });

  it('keeps retries under a fifth of requests during a long outage once the reserve is spent', () => {
    const budget = new RetryBudget(0.2, 10);
    let retries = 0;
    for (let i = 0; i < 10_000; i++) {
      budget.deposit();
      while (budget.tryWithdraw()) retries++;
    }
    expect(retries / 10_000).toBeLessThan(0.2 + 10 / 10_000 + 1e-9);
    expect(budget.denied).toBeGreaterThan(0);
  });
});
