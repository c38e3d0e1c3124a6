import { describe, expect, it } from 'vitest';
import { callCounts } from './call-counts';

describe('callCounts', () => {
  it('copies the six call counters and nothing else, failuresByCode detached', () => {
    const source = {
      requests: 3,
      successes: 1,
      failures: 1,
      failuresByCode: { X_A: 1 },
      inFlight: 1,
      cancelled: 0,
      streams: 2,
    };
    const copy = callCounts(source);
    source.failuresByCode.X_A = 5;
    expect(copy).toEqual({
      requests: 3,
      successes: 1,
      failures: 1,
      failuresByCode: { X_A: 1 },
      inFlight: 1,
      cancelled: 0,
    });
  });
});
