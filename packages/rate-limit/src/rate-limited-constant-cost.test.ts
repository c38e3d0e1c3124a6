import { describe, expect, it } from 'vitest';
import { rateLimited } from './rate-limited';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

const fn = async () => 'done';

describe('rateLimited checks a constant cost when wrapping', () => {
  it('refuses a negative, NaN or infinite cost for a bucket as a RangeError naming cost', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 5 });
    for (const cost of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => rateLimited(fn, bucket, { cost }), String(cost)).toThrow(
        new RangeError(`Expected \`cost\` to be a finite number >= 0, got \`${cost}\` (number)`),
      );
    }
  });

  it('refuses a cost object for a bucket as a TypeError when wrapping', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 5 });
    expect(() => rateLimited(fn, bucket, { cost: { requests: 1 } })).toThrow(
      new TypeError(
        'Expected `cost` to be a number for a token bucket, got `{"requests":1}` (object)',
      ),
    );
  });

  it('refuses a keyed limiter cost out of range or of an unknown limit, naming cost', () => {
    const limiter = createRateLimiter({ limits: { req: { ratePerSecond: 1, capacity: 5 } } });
    const wrap = (cost: unknown) => () => rateLimited(fn, limiter, { key: 'k', cost: cost as 1 });
    expect(wrap(-1)).toThrow(
      new RangeError(
        'Expected `cost` to be a finite number >= 0 and <= capacity 5, got `-1` (number)',
      ),
    );
    expect(wrap(Number.NaN)).toThrow(RangeError);
    expect(wrap(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(wrap({ req: -1 })).toThrow(
      new RangeError(
        'Expected `cost.req` to be a finite number >= 0 and <= capacity 5, got `-1` (number)',
      ),
    );
    expect(wrap({ req: '1' })).toThrow(TypeError);
    expect(wrap({ reqs: 1 })).toThrow(
      new TypeError('Unknown limit `cost.reqs`: did you mean `cost.req`?'),
    );
  });

  it('accepts a valid constant cost, and still admits the calls', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 5 });
    expect(await rateLimited(fn, bucket, { cost: 0 })()).toBe('done');
    const limiter = createRateLimiter({ limits: { req: { ratePerSecond: 1, capacity: 5 } } });
    expect(await rateLimited(fn, limiter, { key: 'k', cost: { req: 5 } })()).toBe('done');
    expect(await rateLimited(fn, limiter, { key: 'j', cost: {} })()).toBe('done');
  });
});

describe('rateLimited key', () => {
  it('refuses key for a token bucket as a TypeError naming key', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1 });
    expect(() => rateLimited(fn, bucket, { key: 'k' })).toThrow(
      new TypeError(
        'Expected `key` to be left out for a token bucket (it is for a keyed rate limiter), got `"k"` (string)',
      ),
    );
    expect(() => rateLimited(bucket, { key: () => 'k' })).toThrow(TypeError);
  });
});
