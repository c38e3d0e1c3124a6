import { describe, expect, it } from 'vitest';
import { calibrateAsyncBatch, calibrateBatch } from './micro';

/** A case whose first call is slow, as cold code is (real clock: it busy-waits 200 µs once). */
function coldThenCheap(): () => number {
  let calls = 0;
  return () => {
    if (calls++ === 0) {
      const end = performance.now() + 0.2;
      while (performance.now() < end);
    }
    return calls;
  };
}

describe('calibrateBatch', () => {
  it('sizes the batch of a case on its warm calls, not on its slow first call', () => {
    expect(calibrateBatch(coldThenCheap())).toBeGreaterThan(1);
  });
});

describe('calibrateAsyncBatch', () => {
  it('sizes the batch of an async case on its warm calls, not on its slow first call', async () => {
    const cheap = coldThenCheap();
    expect(await calibrateAsyncBatch(async () => cheap())).toBeGreaterThan(1);
  });
});
