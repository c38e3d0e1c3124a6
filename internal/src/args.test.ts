import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  expectDuration,
  expectNumber,
  expectOneOf,
  failSecret,
  isPlainObject,
  optionalFunction,
  optionalSignal,
} from './args';
import { MAX_TIMER_MS } from './timers';

describe('expectNumber', () => {
  it('throws a TypeError for a value that is not a number, naming the field', () => {
    expect(() => expectNumber('limits.rate', '1', { min: 0 })).toThrow(TypeError);
    expect(() => expectNumber('limits.rate', '1', { min: 0 })).toThrow(
      'Expected `limits.rate` to be a finite number >= 0, got `"1"` (string)',
    );
  });

  it('throws a RangeError for NaN, infinities, fractions of integers and values out of range', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5]) {
      expect(() => expectNumber('n', bad, { min: 0, integer: true })).toThrow(RangeError);
    }
    expect(() => expectNumber('n', 0, { min: 0, exclusiveMin: true })).toThrow(
      'Expected `n` to be a finite number > 0, got `0` (number)',
    );
    expect(() => expectNumber('n', 11, { min: 0, max: 10 })).toThrow('between 0 and 10');
  });

  it('names a huge bound only to a value beyond it, and then readably', () => {
    const float32Max = 3.4028234663852886e38;
    expect(() => expectNumber('t', -1, { min: 0, max: float32Max })).toThrow(
      'Expected `t` to be a finite number >= 0, got `-1` (number)',
    );
    expect(() => expectNumber('t', 1e39, { min: 0, max: float32Max })).toThrow(
      'Expected `t` to be a finite number between 0 and 3.4e+38, got `1e+39` (number)',
    );
    const safe = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true };
    expect(() => expectNumber('seed', 1.5, safe)).toThrow('Expected `seed` to be an integer, got');
    expect(() => expectNumber('seed', 2 ** 60, safe)).toThrow(
      'Expected `seed` to be an integer <= 2^53 - 1, got',
    );
    expect(() => expectNumber('n', 'x', { min: 1, max: Number.MAX_SAFE_INTEGER })).toThrow(
      'Expected `n` to be a finite number >= 1, got',
    );
  });

  it('accepts Infinity only when asked', () => {
    expect(expectNumber('n', Number.POSITIVE_INFINITY, { min: 0, allowInfinity: true })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('expectDuration', () => {
  it('refuses a delay a Node timer would fire after 1 ms, naming the field', () => {
    expect(expectDuration('timeoutMs', MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    expect(() => expectDuration('timeoutMs', MAX_TIMER_MS + 1)).toThrow(RangeError);
    expect(() => expectDuration('timeoutMs', 2 ** 40)).toThrow(/`timeoutMs`.*2147483647/);
  });
});

describe('the other checks', () => {
  it('tells plain objects from arrays, class instances and null', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    // an object literal of another realm (a vm context) is one; its arrays and Maps are not
    expect(isPlainObject(runInNewContext('({ a: 1 })'))).toBe(true);
    expect(isPlainObject(runInNewContext('[]'))).toBe(false);
    expect(isPlainObject(runInNewContext('new Map()'))).toBe(false);
    // a class of its own named `Object` is still a class
    const Impostor = { Object: class {} }.Object;
    expect(isPlainObject(new Impostor())).toBe(false);
  });

  it('checks functions, signals and choices', () => {
    expect(() => optionalFunction('fn', 1)).toThrow('Expected `fn` to be a function');
    expect(() => optionalSignal('signal', {})).toThrow('an AbortSignal');
    expect(optionalSignal('signal', new AbortController().signal)).toBeDefined();
    expect(() => expectOneOf('mode', 'x', ['a', 'b'])).toThrow('one of "a", "b"');
  });
});

describe('failSecret', () => {
  it('never shows the value, and is a RangeError only when asked (right type, wrong value)', () => {
    const thrown = (range?: boolean) => {
      try {
        failSecret('apiKey', 'a key', 'sk-secret\n', range);
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected failSecret to throw');
    };
    const message = 'Expected `apiKey` to be a key, got `[redacted]` (string)';
    expect(thrown()).toEqual(new TypeError(message));
    expect(thrown()).not.toBeInstanceOf(RangeError);
    expect(thrown(true)).toEqual(new RangeError(message));
  });
});
