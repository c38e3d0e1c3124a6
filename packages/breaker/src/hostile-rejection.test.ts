import { revokedProxy, throwingProxy } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createBreaker } from './index';

/**
 * What `fn` rejects with is user code's: a revoked Proxy, or a Proxy whose traps throw. The
 * breaker asks whether it is an `ignoreOutcome()` (a brand read) before judging it; that read
 * must not throw, or `execute()` rejects with the trap's `TypeError` and counts nothing.
 */
describe('execute()', () => {
  it.each([
    ['a revoked Proxy', () => revokedProxy()],
    ['a Proxy whose traps throw', () => throwingProxy()],
  ])('rejects with what fn rejected with, counted as a failure, when it is %s', async (_, make) => {
    const thrown = make();
    const breaker = createBreaker({ failureThreshold: 1 });
    // Not `.rejects.toBe()` nor `await` of the value: awaiting a Proxy reads its `then`.
    const rejected: unknown[] = [];
    await breaker
      .execute(() => Promise.reject(thrown))
      .then(
        () => {},
        (e: unknown) => {
          rejected.push(e);
        },
      );
    expect(rejected[0] === thrown).toBe(true);
    expect(breaker.stats()).toMatchObject({ state: 'open', failures: 1 });
  });
});
