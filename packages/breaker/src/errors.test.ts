import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  BreakerProbeTimeoutError,
  createOpenError,
  isBreakerError,
  isBreakerOpenError,
  isBreakerProbeTimeoutError,
} from './errors';

describe('BreakerOpenError', () => {
  it('carries name, code and read-only data when constructed directly', () => {
    const error = new BreakerOpenError('Breaker "a" is open', 'a', 'open', 'open', 1_000);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'BreakerOpenError',
      code: 'X_BREAKER_OPEN',
      breaker: 'a',
      state: 'open',
      reason: 'open',
      retryAfterMs: 1_000,
      message: 'Breaker "a" is open',
    });
    expect(error.stack).toContain('BreakerOpenError');
  });

  it('looks like an Error when made by the breaker without a stack', () => {
    const error = createOpenError('Breaker "b" is open', 'b', 'open', 'open', 5);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(error).toBeInstanceOf(Error);
    expect(error.stack).toBe('BreakerOpenError: Breaker "b" is open');
    expect(String(error)).toBe('BreakerOpenError: Breaker "b" is open');
    expect(inspect(error)).toContain('BreakerOpenError: Breaker "b" is open');
    expect(inspect(error)).toContain("code: 'X_BREAKER_OPEN'");
  });
});

describe('BreakerProbeTimeoutError', () => {
  it('carries the code and the timeout', () => {
    const error = new BreakerProbeTimeoutError('p', 250);
    expect(error).toMatchObject({
      name: 'BreakerProbeTimeoutError',
      code: 'X_BREAKER_PROBE_TIMEOUT',
      breaker: 'p',
      timeoutMs: 250,
    });
    expect(error.message).toBe(
      'Breaker "p": probe did not settle within 250 ms; give the call a shorter deadline, or raise `probeTimeoutMs`',
    );
  });
});

describe('isBreakerOpenError', () => {
  it('recognises the brand of another copy of the package and rejects look-alikes', () => {
    const foreign = { [Symbol.for('@x/breaker/BreakerOpenError')]: true };
    expect(isBreakerOpenError(foreign)).toBe(true);
    expect(isBreakerOpenError({ code: 'X_BREAKER_OPEN' })).toBe(false);
    expect(isBreakerOpenError(new Error('x'))).toBe(false);
    expect(isBreakerOpenError(null)).toBe(false);
    expect(isBreakerOpenError('X_BREAKER_OPEN')).toBe(false);
  });
});

describe('isBreakerProbeTimeoutError', () => {
  it('is true only for probe timeouts', () => {
    expect(isBreakerProbeTimeoutError(new BreakerProbeTimeoutError('p', 1))).toBe(true);
    expect(isBreakerProbeTimeoutError(createOpenError('m', 'b', 'open', 'open', 1))).toBe(false);
  });
});

describe('isBreakerError', () => {
  it('is true for every error of the package and nothing else', () => {
    expect(isBreakerError(new BreakerProbeTimeoutError('p', 1))).toBe(true);
    expect(isBreakerError(createOpenError('m', 'b', 'open', 'open', 1))).toBe(true);
    expect(isBreakerError(new TypeError('x'))).toBe(false);
  });
});

describe('JSON', () => {
  it('shows name, message, code and the fields of each error in JSON.stringify', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    const open = {
      name: 'BreakerOpenError',
      message: 'Breaker "a" is open',
      code: 'X_BREAKER_OPEN',
      breaker: 'a',
      state: 'open',
      reason: 'open',
      retryAfterMs: 1_000,
    };
    expect(json(new BreakerOpenError('Breaker "a" is open', 'a', 'open', 'open', 1_000))).toEqual(
      open,
    );
    // what a rejection throws: made without the Error constructor
    expect(json(createOpenError('Breaker "a" is open', 'a', 'open', 'open', 1_000))).toEqual(open);
    expect(json(new BreakerProbeTimeoutError('p', 50))).toEqual({
      name: 'BreakerProbeTimeoutError',
      message:
        'Breaker "p": probe did not settle within 50 ms; give the call a shorter deadline, or raise `probeTimeoutMs`',
      code: 'X_BREAKER_PROBE_TIMEOUT',
      breaker: 'p',
      timeoutMs: 50,
    });
  });
});
