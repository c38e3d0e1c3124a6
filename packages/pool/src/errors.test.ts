import { describe, expect, it } from 'vitest';
import {
  isPoolClosedError,
  isPoolDnsError,
  isPoolError,
  isPoolRedirectError,
  isPoolTimeoutError,
  PoolClosedError,
  PoolDnsError,
  PoolRedirectError,
  PoolTimeoutError,
} from './errors';

describe('PoolTimeoutError', () => {
  it('carries its code, origin and timings when created', () => {
    const e = new PoolTimeoutError('http://a.test', 1200.4, 1000);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'PoolTimeoutError',
      code: 'X_POOL_TIMEOUT',
      origin: 'http://a.test',
      waitedMs: 1200.4,
      timeoutMs: 1000,
    });
    expect(e.message).toBe(
      'Request to http://a.test waited 1200 ms for a connection (queueTimeoutMs 1000)',
    );
    expect(isPoolTimeoutError(e)).toBe(true);
    expect(isPoolClosedError(e)).toBe(false);
    expect(isPoolError(e)).toBe(true);
  });
});

describe('PoolClosedError', () => {
  it('names the refused origin when known', () => {
    expect(new PoolClosedError('http://a.test').message).toBe(
      'The pool is closed; request to http://a.test refused',
    );
    expect(new PoolClosedError().message).toBe('The pool is closed');
    expect(new PoolClosedError()).toMatchObject({
      name: 'PoolClosedError',
      code: 'X_POOL_CLOSED',
      origin: undefined,
    });
  });
});

describe('PoolDnsError', () => {
  it('keeps the resolver error as cause', () => {
    const cause = new Error('ENOTFOUND');
    const e = new PoolDnsError('x.test', true, { cause });
    expect(e).toMatchObject({
      name: 'PoolDnsError',
      code: 'X_POOL_DNS',
      hostname: 'x.test',
      cached: true,
      cause,
    });
    expect(isPoolDnsError(e)).toBe(true);
  });
});

describe('isPoolError', () => {
  it('recognises errors of another copy of the package by their brand', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@x/pool/PoolClosedError')]: true,
    });
    expect(isPoolClosedError(foreign)).toBe(true);
    expect(isPoolError(foreign)).toBe(true);
  });

  it('is false for look-alikes without the brand and for non-objects', () => {
    expect(isPoolError(Object.assign(new Error('x'), { code: 'X_POOL_TIMEOUT' }))).toBe(false);
    expect(isPoolError(null)).toBe(false);
    expect(isPoolError('X_POOL_CLOSED')).toBe(false);
  });

  it('refuses writes to data fields and hides the brand from enumeration', () => {
    const e = new PoolTimeoutError('http://a.test', 1, 1);
    expect(() => {
      (e as { waitedMs: number }).waitedMs = 5;
    }).toThrow(TypeError);
    expect(() => {
      (e as { code: string }).code = 'OTHER';
    }).toThrow(TypeError);
    expect(
      Object.getOwnPropertySymbols(e).every(
        (s) => !Object.getOwnPropertyDescriptor(e, s)?.enumerable,
      ),
    ).toBe(true);
  });
});

describe('JSON', () => {
  it('shows name, message, code and the fields of each error, never the cause', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    expect(json(new PoolTimeoutError('http://a.test:80', 12, 10))).toEqual({
      name: 'PoolTimeoutError',
      message: 'Request to http://a.test:80 waited 12 ms for a connection (queueTimeoutMs 10)',
      code: 'X_POOL_TIMEOUT',
      origin: 'http://a.test:80',
      waitedMs: 12,
      timeoutMs: 10,
    });
    expect(json(new PoolClosedError('http://a.test:80', { cause: new Error('x') }))).toEqual({
      name: 'PoolClosedError',
      message: 'The pool is closed; request to http://a.test:80 refused',
      code: 'X_POOL_CLOSED',
      origin: 'http://a.test:80',
    });
    expect(json(new PoolDnsError('a.test', true, { cause: new Error('ENOTFOUND') }))).toEqual({
      name: 'PoolDnsError',
      message: 'Could not resolve a.test (cached failure)',
      code: 'X_POOL_DNS',
      hostname: 'a.test',
      cached: true,
    });
    // typed as what it holds: the literal code and the fields, no `cause`
    const typed = new PoolTimeoutError('http://a.test:80', 12, 10).toJSON();
    const code: 'X_POOL_TIMEOUT' = typed.code;
    expect(code).toBe('X_POOL_TIMEOUT');
    // @ts-expect-error: the cause is not in the JSON
    expect(typed.cause).toBeUndefined();
  });
});

describe('PoolRedirectError', () => {
  it('names the status and the target origin only, and is a pool error', () => {
    const e = new PoolRedirectError(307, 'http://other.test:8080');
    expect(e).toMatchObject({
      name: 'PoolRedirectError',
      code: 'X_POOL_REDIRECT',
      status: 307,
      origin: 'http://other.test:8080',
    });
    expect(e.message).toContain('307 redirect to http://other.test:8080');
    expect(isPoolRedirectError(e)).toBe(true);
    expect(isPoolTimeoutError(e)).toBe(false);
    expect(isPoolError(e)).toBe(true);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307 });
  });
});
