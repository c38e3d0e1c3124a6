import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDurationMs, parseRateLimitHeaders } from './headers';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('parseDurationMs', () => {
  it.each([
    ['6m0s', 360_000],
    ['1s', 1000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5', 500],
    ['2m59.56s', 179_560],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBeCloseTo(ms, 6);
  });

  it('returns undefined for text that is not a duration', () => {
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs('1s later')).toBeUndefined();
    expect(parseDurationMs('')).toBeUndefined();
  });

  it('refuses a value that is not header text with a TypeError naming `text`', () => {
    for (const value of [null, undefined, 5, {}]) {
      expect(() => parseDurationMs(value as never)).toThrow(TypeError);
      expect(() => parseDurationMs(value as never)).toThrow(/^Expected `text` to be a string/);
    }
  });

  it('caps an absurd duration at the longest timer, as Retry-After is', () => {
    expect(parseDurationMs('99999999999999h')).toBe(2_147_483_647);
    expect(parseDurationMs('99999999999')).toBe(2_147_483_647);
    expect(parseDurationMs('24d')).toBe(24 * 86_400_000);
  });
});

describe('parseRateLimitHeaders caps resets', () => {
  it('caps a reset duration, count of seconds or date at the longest timer', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-reset-requests': '99999999999999h',
        'x-ratelimit-reset-tokens': '999999999',
        'x-ratelimit-reset': 'Fri, 01 Jan 2100 00:00:00 GMT',
      }),
    ).toEqual({
      resetRequestsMs: 2_147_483_647,
      resetTokensMs: 2_147_483_647,
      resetMs: 2_147_483_647,
    });
  });
});

describe('parseRateLimitHeaders', () => {
  it('refuses entries that are not [name, value] pairs with a TypeError naming the entry', () => {
    expect(() => parseRateLimitHeaders([1, 2] as never)).toThrow(
      new TypeError(
        'Expected `headers[0]` to be a [name, value] entry with a string name, got `1` (number)',
      ),
    );
    expect(() =>
      parseRateLimitHeaders([
        ['retry-after', '1'],
        [5, '3'],
      ] as never),
    ).toThrow(/^Expected `headers\[1\]` to be a \[name, value\] entry with a string name/);
    expect(parseRateLimitHeaders([['Retry-After', '2']])).toEqual({ retryAfterMs: 2000 });
  });

  it('reads OpenAI headers from a fetch Headers object', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(parseRateLimitHeaders(headers)).toEqual({
      limitRequests: 60,
      remainingRequests: 59,
      resetRequestsMs: 1000,
      limitTokens: 150_000,
      remainingTokens: 149_984,
      resetTokensMs: 360_000,
    });
  });

  it('reads Retry-After in seconds from a Node headers record (any case)', () => {
    expect(
      parseRateLimitHeaders({ 'Retry-After': '7', 'X-RateLimit-Reset-Tokens': '20ms' }),
    ).toEqual({
      retryAfterMs: 7000,
      resetTokensMs: 20,
    });
  });

  it('reads Retry-After as an HTTP date relative to now', () => {
    expect(parseRateLimitHeaders({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' })).toEqual({
      retryAfterMs: 30_000,
    });
    expect(parseRateLimitHeaders({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' })).toEqual({
      retryAfterMs: 0,
    });
  });

  it('caps a retry delay no timer can wait, and refuses a Retry-After that is neither seconds nor a date', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '99999999999' }).retryAfterMs).toBe(
      2_147_483_647,
    );
    expect(parseRateLimitHeaders({ 'retry-after-ms': '99999999999999' }).retryAfterMs).toBe(
      2_147_483_647,
    );
    expect(parseRateLimitHeaders({ 'retry-after-ms': '0' }).retryAfterMs).toBe(0);
    expect(parseRateLimitHeaders({ 'retry-after': '1e9' }).retryAfterMs).toBeUndefined();
    expect(parseRateLimitHeaders({ 'retry-after': '-5' }).retryAfterMs).toBeUndefined();
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(
      parseRateLimitHeaders([
        ['retry-after-ms', '1500'],
        ['retry-after', '2'],
      ]),
    ).toEqual({ retryAfterMs: 1500 });
  });

  it('reads generic, IETF and epoch-second resets and Anthropic dates', () => {
    const epoch = Date.parse('2026-01-01T00:01:00Z') / 1000;
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(epoch),
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z',
      }),
    ).toEqual({
      limit: 100,
      remaining: 0,
      resetMs: 60_000,
      limitRequests: 50,
      resetRequestsMs: 5000,
    });
    expect(parseRateLimitHeaders({ 'ratelimit-limit': '10', 'ratelimit-reset': '3' })).toEqual({
      limit: 10,
      resetMs: 3000,
    });
  });

  it("reads Mistral's per-minute counts (requests spelled req, no reset)", () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-req-minute': '120',
        'x-ratelimit-remaining-req-minute': '84',
        'x-ratelimit-limit-tokens-minute': '500000',
        'x-ratelimit-remaining-tokens-minute': '499100',
        'x-ratelimit-limit-tokens-month': '1000000000',
        'x-ratelimit-tokens-query-cost': '900',
      }),
    ).toEqual({
      limitRequests: 120,
      remainingRequests: 84,
      limitTokens: 500_000,
      remainingTokens: 499_100,
    });
  });

  it('takes the window with least left when a server states several (Cerebras)', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-requests-day': '14400',
        'x-ratelimit-remaining-requests-day': '12',
        'x-ratelimit-reset-requests-day': '33011.4',
        'x-ratelimit-limit-requests-minute': '30',
        'x-ratelimit-remaining-requests-minute': '29',
        'x-ratelimit-reset-requests-minute': '41.5',
        'x-ratelimit-limit-tokens-minute': '60000',
        'x-ratelimit-remaining-tokens-minute': '0',
        'x-ratelimit-reset-tokens-minute': '15s',
      }),
    ).toEqual({
      limitRequests: 14_400,
      remainingRequests: 12,
      resetRequestsMs: 33_011_400,
      limitTokens: 60_000,
      remainingTokens: 0,
      resetTokensMs: 15_000,
    });
  });

  it('prefers the unsuffixed OpenAI counts over windowed ones', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-remaining-requests-minute': '3',
      }),
    ).toEqual({ remainingRequests: 59 });
  });

  it('leaves out headers it cannot parse instead of guessing', () => {
    expect(
      parseRateLimitHeaders({
        'retry-after': 'later',
        'x-ratelimit-remaining-requests': '-3',
        'x-ratelimit-reset-requests': 'soon',
      }),
    ).toEqual({});
  });

  it.each([[''], [' '], ['0x1F'], ['0b11'], ['1e3'], ['Infinity']])(
    'leaves out a count written %j (never read as 0, hex or an exponent)',
    (text) => {
      // A proxy's empty `remaining` header read as 0 made a caller pause a working key.
      expect(
        parseRateLimitHeaders({
          'x-ratelimit-remaining-tokens': text,
          'x-ratelimit-limit-requests': text,
          'ratelimit-remaining': text,
          'anthropic-ratelimit-tokens-remaining': text,
        }),
      ).toEqual({});
      expect(parseRateLimitHeaders({ 'x-ratelimit-remaining-tokens': ` 42 ` })).toEqual({
        remainingTokens: 42,
      });
    },
  );

  it('throws a TypeError when headers is not an object', () => {
    expect(() => parseRateLimitHeaders(undefined as never)).toThrow(TypeError);
  });
});
