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
      'Expected `failureThreshold` to be an integer >= 1, got `0` (number)',
    ],
    [
      { failureThreshold: 1.5 },
      TypeError,
      'Expected `failureThreshold` to be an integer >= 1, got `1.5` (number)',
    ],
    [
      { failureThreshold: '3' },
      TypeError,
      'Expected `failureThreshold` to be an integer >= 1, got `"3"` (string)',
    ],
    [
      { successThreshold: 0 },
      RangeError,
      'Expected `successThreshold` to be an integer >= 1, got `0` (number)',
    ],
    [
      { openTimeoutMs: -1 },
      RangeError,
      'Expected `openTimeoutMs` to be a finite number >= 0, got `-1` (number)',
    ],
    [
      { openTimeoutMs: Number.POSITIVE_INFINITY },
      TypeError,
      'Expected `openTimeoutMs` to be a finite number >= 0, got `Infinity` (number)',
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
      'Expected `probeTimeoutMs` to be a finite number > 0, got `0` (number)',
    ],
    [{ name: '' }, TypeError, 'Expected `name` to be a non-empty string, got `""` (string)'],
    [
      { classify: 'fail' },
      TypeError,
      'Expected `classify` to be a function, got `"fail"` (string)',
    ],
    [
      { logger: {} },
      TypeError,
      'Expected `logger` to be an object with warn, info or log methods (console-compatible), got `{}` (object)',
    ],
    [
      { window: 5 },
      TypeError,
      "Expected `window` to be an object like { type: 'count', size } or { type: 'time', durationMs }, got `5` (number)",
    ],
    [
      { window: { type: 'sliding' } },
      TypeError,
      "Expected `window.type` to be 'count' or 'time', got `\"sliding\"` (string)",
    ],
    [
      { window: { type: 'count' } },
      TypeError,
      'Expected `window.size` to be an integer >= 1, got `undefined` (undefined)',
    ],
    [
      { window: { type: 'count', size: 0 } },
      RangeError,
      'Expected `window.size` to be an integer >= 1, got `0` (number)',
    ],
    [
      { window: { type: 'count', size: 5, minimumCalls: 6 } },
      RangeError,
      'Expected `window.minimumCalls` to be an integer from 1 to window.size (5), got `6` (number)',
    ],
    [
      { window: { type: 'count', size: 5, failureRateThreshold: 0 } },
      RangeError,
      'Expected `window.failureRateThreshold` to be a number > 0 and <= 1, got `0` (number)',
    ],
    [
      { window: { type: 'count', size: 5, failureRateThreshold: 50 } },
      RangeError,
      'Expected `window.failureRateThreshold` to be a number > 0 and <= 1, got `50` (number)',
    ],
    [
      { window: { type: 'time' } },
      TypeError,
      'Expected `window.durationMs` to be a finite number > 0, got `undefined` (undefined)',
    ],
    [
      { window: { type: 'time', durationMs: 0 } },
      RangeError,
      'Expected `window.durationMs` to be a finite number > 0, got `0` (number)',
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
      'Expected `slowCallRateThreshold` to be a number > 0 and <= 1, got `2` (number)',
    ],
    [null, TypeError, 'Expected `options` to be an object, got `null` (null)'],
  ])('throws for %j', (options, type, message) => {
    expect(make(options)).toThrow(type);
    expect(make(options)).toThrow(message);
  });

  it('accepts Infinity as failureThreshold to trip on rates only', () => {
    expect(make({ failureThreshold: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('defaults minimumCalls to 10, capped at a count window size', () => {
    expect(make({ window: { type: 'count', size: 3 } })).not.toThrow();
  });
});
