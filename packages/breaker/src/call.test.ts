import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreaker } from './index';

// What `fn` returns, however odd, settles the call: `execute()` never throws for it and never
// leaves a probe slot taken.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A native promise that resolves, but whose `constructor` getter throws. */
function promiseWithBrokenConstructor(error: Error): Promise<string> {
  const promise = Promise.resolve('value');
  Object.defineProperty(promise, 'constructor', {
    get() {
      throw error;
    },
  });
  return promise;
}

/** How `execute()` ended: a synchronous throw, or the promise's outcome. */
async function outcomeOf(run: () => Promise<unknown>): Promise<string> {
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
  return promise.then(
    (value) => `resolved ${String(value)}`,
    (error: unknown) => `rejected ${(error as Error).name}: ${(error as Error).message}`,
  );
}

describe('execute() with fn returning an unusable promise', () => {
  it('rejects (not throws) and counts a failure when its constructor getter throws, closed', async () => {
    const breaker = createBreaker({ failureThreshold: 2 });
    const result = await outcomeOf(() =>
      breaker.execute(() => promiseWithBrokenConstructor(new Error('getter'))),
    );
    expect(result).toBe('rejected Error: getter');
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 1 });
  });

  it('rejects with TypeError, as with a signal, when it is a Proxy of a promise, closed', async () => {
    const proxied = () => new Proxy(Promise.resolve('value'), {});
    const breaker = createBreaker({ failureThreshold: 2 });
    const closed = await outcomeOf(() => breaker.execute(proxied));
    const slow = await outcomeOf(() =>
      breaker.execute(proxied, { signal: new AbortController().signal }),
    );
    expect(closed).toMatch(/^rejected TypeError: /);
    expect(slow).toMatch(/^rejected TypeError: /);
    expect(breaker.stats()).toMatchObject({ state: 'open', failures: 2 });
  });

  it('frees the probe slot: the failed probe reopens the breaker instead of holding it half-open', async () => {
    const breaker = createBreaker({ failureThreshold: 1, successThreshold: 1, openTimeoutMs: 100 });
    breaker.open();
    await vi.advanceTimersByTimeAsync(100);
    const result = await outcomeOf(() =>
      breaker.execute(() => promiseWithBrokenConstructor(new Error('getter'))),
    );
    expect(result).toBe('rejected Error: getter');
    expect(breaker.stats()).toMatchObject({ state: 'open', probesInFlight: 0, failures: 1 });
    await vi.advanceTimersByTimeAsync(200);
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
