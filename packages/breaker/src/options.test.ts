import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createBreaker } from './breaker';
import type { BreakerOptions } from './options';

const make = (options: unknown) => () => createBreaker(options as BreakerOptions);

describe('createBreaker options', () => {
  it('accepts no options and applies the documented defaults', () => {
    const stats = createBreaker().stats();
    expect(stats).toMatchObject({
      name: 'breaker',
      state: 'closed',
      openTimeoutMs: 30_000,
      window: null,
    });
  });

  it.each([
    [
      { failureThreshold: 0 },
      RangeError,
      'Expected `failureThreshold` to be an integer >= 1, or Infinity, got `0` (number)',
    ],
    [
      { failureThreshold: 1.5 },
      RangeError,
      'Expected `failureThreshold` to be an integer >= 1, or Infinity, got `1.5` (number)',
    ],
    [
      { failureThreshold: '3' },
      TypeError,
      'Expected `failureThreshold` to be an integer >= 1, or Infinity, got `"3"` (string)',
    ],
    [
      { successThreshold: 0 },
      RangeError,
      'Expected `successThreshold` to be an integer >= 1, got `0` (number)',
    ],
    [
      { openTimeoutMs: -1 },
      RangeError,
      'Expected `openTimeoutMs` to be a finite number between 0 and 2147483647, got `-1` (number)',
    ],
    [
      { openTimeoutMs: Number.POSITIVE_INFINITY },
      RangeError,
      'Expected `openTimeoutMs` to be a finite number between 0 and 2147483647, got `Infinity` (number)',
    ],
    [
      { openTimeoutMs: 1_000, maxOpenTimeoutMs: 500 },
      RangeError,
      'Expected `maxOpenTimeoutMs` to be a finite number >= openTimeoutMs (1000), got `500` (number)',
    ],
    [
      { openTimeoutGrowth: 0.5 },
      RangeError,
      'Expected `openTimeoutGrowth` to be a finite number >= 1, got `0.5` (number)',
    ],
    [
      { halfOpenMaxProbes: 0 },
      RangeError,
      'Expected `halfOpenMaxProbes` to be an integer >= 1, got `0` (number)',
    ],
    [
      { probeTimeoutMs: 0 },
      RangeError,
      'Expected `probeTimeoutMs` to be a finite number between 0 (excluded) and 2147483647, got `0` (number)',
    ],
    [
      { name: '' },
      RangeError,
      'Expected `name` to be a label of 1 to 200 printable characters, got `""` (string)',
    ],
    [
      { name: 7 },
      TypeError,
      'Expected `name` to be a non-empty string (a label), got `7` (number)',
    ],
    [
      { name: 'http://u:hunter2@h' },
      RangeError,
      'Expected `name` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
    ],
    [
      { classify: 'fail' },
      TypeError,
      'Expected `classify` to be a function, got `"fail"` (string)',
    ],
    [
      { logger: {} },
      TypeError,
      'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{}` (object)',
    ],
    [
      { window: 5 },
      TypeError,
      "Expected `window` to be an object like { type: 'count', size } or { type: 'time', durationMs }, got `5` (number)",
    ],
    [
      { window: { type: 'sliding' } },
      RangeError,
      "Expected `window.type` to be 'count' or 'time', got `\"sliding\"` (string)",
    ],
    [
      { window: { type: 'count' } },
      TypeError,
      'Expected `window.size` to be an integer between 1 and 1000000, got `undefined` (undefined)',
    ],
    [
      { window: { type: 'count', size: 0 } },
      RangeError,
      'Expected `window.size` to be an integer between 1 and 1000000, got `0` (number)',
    ],
    [
      { window: { type: 'count', size: 5, minimumCalls: 6 } },
      RangeError,
      'Expected `window.minimumCalls` to be an integer from 1 to window.size (5), got `6` (number)',
    ],
    [
      { window: { type: 'count', size: 5, failureRateThreshold: 0 } },
      RangeError,
      'Expected `window.failureRateThreshold` to be a finite number between 0 (excluded) and 1, got `0` (number)',
    ],
    [
      { window: { type: 'count', size: 5, failureRateThreshold: 50 } },
      RangeError,
      'Expected `window.failureRateThreshold` to be a finite number between 0 (excluded) and 1, got `50` (number)',
    ],
    [
      { window: { type: 'time' } },
      TypeError,
      'Expected `window.durationMs` to be a finite number between 0 (excluded) and 2147483647, got `undefined` (undefined)',
    ],
    [
      { window: { type: 'time', durationMs: 0 } },
      RangeError,
      'Expected `window.durationMs` to be a finite number between 0 (excluded) and 2147483647, got `0` (number)',
    ],
    [
      { slowCallDurationMs: 100 },
      TypeError,
      'Expected `window` to be set when `slowCallDurationMs` is set',
    ],
    [
      { slowCallRateThreshold: 0.5 },
      TypeError,
      'Expected `slowCallDurationMs` to be set when `slowCallRateThreshold` is set',
    ],
    [
      { window: { type: 'count', size: 5 }, slowCallDurationMs: 10, slowCallRateThreshold: 2 },
      RangeError,
      'Expected `slowCallRateThreshold` to be a finite number between 0 (excluded) and 1, got `2` (number)',
    ],
    [null, TypeError, 'Expected `options` to be an object, got `null` (null)'],
    [[], TypeError, 'Expected `options` to be an object, got `[]` (array)'],
    [
      { window: [] },
      TypeError,
      "Expected `window` to be an object like { type: 'count', size } or { type: 'time', durationMs }, got `[]` (array)",
    ],
  ])('throws for %j', (options, type, message) => {
    expect(make(options)).toThrow(type);
    expect(make(options)).toThrow(message);
  });

  it.each([
    ['openTimeoutMs', { openTimeoutMs: 2 ** 31 }],
    ['maxOpenTimeoutMs', { maxOpenTimeoutMs: 2 ** 31 }],
    ['probeTimeoutMs', { probeTimeoutMs: 2 ** 31 }],
    ['slowCallDurationMs', { window: { type: 'count', size: 5 }, slowCallDurationMs: 2 ** 31 }],
    ['window.durationMs', { window: { type: 'time', durationMs: 2 ** 31 } }],
  ])(
    'throws a RangeError naming %s when a duration exceeds the 2^31-1 ms a timer honours',
    (field, options) => {
      expect(make(options)).toThrow(RangeError);
      expect(make(options)).toThrow(
        new RegExp(
          `^Expected \`${field.replace('.', '\\.')}\` to be .* 2147483647, got \`2147483648\``,
        ),
      );
    },
  );

  it.each([2 ** 32, 2 ** 32 + 1, 1e300, 1_000_001])(
    'throws a RangeError naming window.size and its bound for a count window of %d calls',
    (size) => {
      const create = make({ window: { type: 'count', size } });
      expect(create).toThrow(RangeError);
      expect(create).toThrow(
        `Expected \`window.size\` to be an integer between 1 and 1000000, got \`${size}\` (number)`,
      );
    },
  );

  it('accepts a count window of 1,000,000 calls, and rates it', async () => {
    const breaker = createBreaker({
      failureThreshold: Number.POSITIVE_INFINITY,
      window: { type: 'count', size: 1_000_000, minimumCalls: 2 },
    });
    await breaker.execute(async () => 1);
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    expect(breaker.stats()).toMatchObject({ state: 'open' });
  });

  it('accepts durations up to 2^31-1 ms', () => {
    const max = 2 ** 31 - 1;
    expect(
      make({
        openTimeoutMs: max,
        maxOpenTimeoutMs: max,
        probeTimeoutMs: max,
        window: { type: 'time', durationMs: max },
        slowCallDurationMs: max,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ failureTreshold: 3 }, 'Unknown option `failureTreshold`: did you mean `failureThreshold`?'],
    [{ openMs: 1_000 }, 'Unknown option `openMs`'],
    // opossum's and cockatiel's names.
    [{ resetTimeout: 1_000 }, 'Unknown option `resetTimeout`: did you mean `openTimeoutMs`?'],
    [{ halfOpenAfter: 1_000 }, 'Unknown option `halfOpenAfter`: did you mean `openTimeoutMs`?'],
    [{ errorFilter: () => true }, 'Unknown option `errorFilter`: did you mean `classify`?'],
    [
      { volumeThreshold: 5 },
      'Unknown option `volumeThreshold`: did you mean `window.minimumCalls`?',
    ],
    [
      { errorThresholdPercentage: 50 },
      'Unknown option `errorThresholdPercentage`: did you mean `window.failureRateThreshold` (a fraction: 0.5 for 50%)?',
    ],
    [{ timeout: 3_000 }, 'Unknown option `timeout`: the breaker times out no closed call'],
    [
      { window: { type: 'count', size: 5, minCalls: 3 } },
      'Unknown option `window.minCalls`: did you mean `window.minimumCalls`?',
    ],
    [
      { window: { typ: 'count', size: 5 } },
      'Unknown option `window.typ`: did you mean `window.type`?',
    ],
    [
      { window: { tpye: 'time', durationMs: 1_000 } },
      'Unknown option `window.tpye`: did you mean `window.type`?',
    ],
    [
      { window: { type: 'time', durationMs: 1_000, size: 5 } },
      'Unknown option `window.size`: known keys: `type`, `durationMs`, `minimumCalls`, `failureRateThreshold`',
    ],
  ])(
    'throws a TypeError naming an unknown key and the closest known one for %j',
    (options, message) => {
      expect(make(options)).toThrow(TypeError);
      expect(make(options)).toThrow(message);
    },
  );

  it('accepts Infinity as failureThreshold to trip on rates only', () => {
    expect(make({ failureThreshold: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('defaults minimumCalls to 10, capped at a count window size', () => {
    expect(make({ window: { type: 'count', size: 3 } })).not.toThrow();
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createBreaker accepts', async () => {
    expect(await undefinedOptionsRefused((o) => createBreaker(o), {})).toEqual([]);
  });
});
