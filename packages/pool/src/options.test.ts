import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createPool } from './pool';

describe('createPool options', () => {
  it('uses the defaults of the specification when no option is given', async () => {
    const pool = createPool();
    expect(pool.stats().limits).toEqual({ connectionsPerHost: 20, maxConnections: 100 });
    await pool.close();
  });

  it('lowers the default per-host limit to a smaller maxConnections', async () => {
    const pool = createPool({ maxConnections: 8 });
    expect(pool.stats().limits).toEqual({ connectionsPerHost: 8, maxConnections: 8 });
    await pool.close();
  });

  it.each([
    [
      { connectionsPerHost: 0 },
      RangeError,
      'Expected `connectionsPerHost` to be an integer >= 1, got `0` (number)',
    ],
    [
      { connectionsPerHost: 1.5 },
      RangeError,
      'Expected `connectionsPerHost` to be an integer >= 1, got `1.5` (number)',
    ],
    [
      { maxConnections: '10' },
      TypeError,
      'Expected `maxConnections` to be an integer >= 1, got `"10"` (string)',
    ],
    [
      { maxConnections: Number.NaN },
      RangeError,
      'Expected `maxConnections` to be an integer >= 1, got `NaN` (number)',
    ],
    [
      { maxConnections: 1e300 },
      RangeError,
      'Expected `maxConnections` to be an integer >= 1 and at most 2^53-1, got `1e+300` (number)',
    ],
    [
      { connectionsPerHost: 2 ** 53, maxConnections: 2 ** 53 },
      RangeError,
      'Expected `connectionsPerHost` to be an integer >= 1 and at most 2^53-1, got `9007199254740992` (number)',
    ],
    [
      { maxConnections: Number.POSITIVE_INFINITY },
      RangeError,
      'Expected `maxConnections` to be an integer >= 1, got `Infinity` (number)',
    ],
    [
      { keepAliveTimeoutMs: 0 },
      RangeError,
      'Expected `keepAliveTimeoutMs` to be a finite number between 1 and 2147483647, got `0` (number)',
    ],
    [
      { dnsTtlMs: -1 },
      RangeError,
      'Expected `dnsTtlMs` to be a finite number between 0 and 2147483647, got `-1` (number)',
    ],
    [
      { dnsNegativeTtlMs: Number.POSITIVE_INFINITY },
      RangeError,
      'Expected `dnsNegativeTtlMs` to be a finite number between 0 and 2147483647, got `Infinity` (number)',
    ],
    [
      { dnsMaxStaleMs: null },
      TypeError,
      'Expected `dnsMaxStaleMs` to be a finite number between 0 and 2147483647, got `null` (null)',
    ],
    [
      { cleanupIntervalMs: 0 },
      RangeError,
      'Expected `cleanupIntervalMs` to be a finite number between 1 and 2147483647, got `0` (number)',
    ],
    [
      { connectTimeoutMs: 2 ** 31 },
      RangeError,
      'Expected `connectTimeoutMs` to be a finite number between 1 and 2147483647, got `2147483648` (number)',
    ],
    [
      { headersTimeoutMs: -5 },
      RangeError,
      'Expected `headersTimeoutMs` to be a finite number between 0 and 2147483647, got `-5` (number)',
    ],
    [
      { bodyTimeoutMs: '1' },
      TypeError,
      'Expected `bodyTimeoutMs` to be a finite number between 0 and 2147483647, got `"1"` (string)',
    ],
    [
      { queueTimeoutMs: -1 },
      RangeError,
      'Expected `queueTimeoutMs` to be a finite number between 0 and 2147483647, or Infinity, got `-1` (number)',
    ],
    [{ tls: true }, TypeError, 'Expected `tls` to be an object, got `true` (boolean)'],
    [{ tls: [] }, TypeError, 'Expected `tls` to be an object, got `[]` (array)'],
    [{ tls: new Map() }, TypeError, 'Expected `tls` to be an object, got a Map (size 0)'],
    [{ resolver: 'dns' }, TypeError, 'Expected `resolver` to be a function, got `"dns"` (string)'],
    [
      { connectionsPerHost: 30, maxConnections: 10 },
      RangeError,
      'Expected `connectionsPerHost` to be <= `maxConnections` (10), got `30` (number)',
    ],
  ])('throws a clear error when given %o', (options, kind, message) => {
    expect(() => createPool(options as never)).toThrow(kind);
    expect(() => createPool(options as never)).toThrow(message);
  });

  it('throws a TypeError when options is not an object', () => {
    expect(() => createPool(5 as never)).toThrow(
      'Expected `options` to be an object, got `5` (number)',
    );
  });

  it('throws a TypeError when options is an array or a Map, which would read as no options', () => {
    expect(() => createPool([] as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    const map = new Map([['maxConnections', 1]]);
    expect(() => createPool(map as never)).toThrow(
      new TypeError('Expected `options` to be an object, got a Map (size 1)'),
    );
  });

  it.each([
    'keepAliveTimeoutMs',
    'dnsTtlMs',
    'dnsNegativeTtlMs',
    'dnsMaxStaleMs',
    'cleanupIntervalMs',
    'connectTimeoutMs',
    'headersTimeoutMs',
    'bodyTimeoutMs',
    'queueTimeoutMs',
  ])('throws a RangeError naming %s when it exceeds the 2^31-1 ms a timer honours', (field) => {
    const make = () => createPool({ [field]: 2 ** 31 });
    expect(make).toThrow(RangeError);
    expect(make).toThrow(
      new RegExp(`^Expected \`${field}\` to be .*2147483647.*, got \`2147483648\``),
    );
  });

  it('throws a TypeError naming an unknown option and the closest known one', () => {
    expect(() => createPool({ maxConnection: 10 } as never)).toThrow(
      new TypeError('Unknown option `maxConnection`: did you mean `maxConnections`?'),
    );
    expect(() => createPool({ timeout: 10 } as never)).toThrow(/^Unknown option `timeout`/);
  });

  it('names the socket limits when given the names Node and undici use for them', () => {
    expect(() => createPool({ maxSockets: 10 } as never)).toThrow(
      new TypeError('Unknown option `maxSockets`: did you mean `connectionsPerHost`?'),
    );
    expect(() => createPool({ connections: 10 } as never)).toThrow(
      new TypeError('Unknown option `connections`: did you mean `connectionsPerHost`?'),
    );
    expect(() => createPool({ maxTotalSockets: 10 } as never)).toThrow(
      new TypeError('Unknown option `maxTotalSockets`: did you mean `maxConnections`?'),
    );
  });

  it('accepts Infinity for queueTimeoutMs and 0 for the DNS durations', async () => {
    const pool = createPool({
      queueTimeoutMs: Number.POSITIVE_INFINITY,
      dnsTtlMs: 0,
      dnsNegativeTtlMs: 0,
      dnsMaxStaleMs: 0,
      bodyTimeoutMs: 0,
    });
    expect(pool.closed).toBe(false);
    await pool.close();
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createPool accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => createPool(o),
        {},
        (p) => p.close(),
      ),
    ).toEqual([]);
  });
});
