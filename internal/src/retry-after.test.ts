import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryAfterOfHeaders } from './retry-after';
import { MAX_TIMER_MS } from './timers';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');

  it('reads delay-seconds and an HTTP date', () => {
    expect(retryAfterMs('5', now)).toBe(5_000);
    expect(retryAfterMs(' 0.5 ', now)).toBe(500);
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 05 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('refuses what is neither, and caps what no timer can wait', () => {
    for (const text of ['1e9', '-5', 'soon', '', '0x10', undefined]) {
      expect(retryAfterMs(text, now)).toBeUndefined();
    }
    expect(retryAfterMs('99999999999', now)).toBe(MAX_TIMER_MS);
    expect(retryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_TIMER_MS);
  });
});

describe('retryAfterOfHeaders', () => {
  const headers =
    (values: Record<string, string>) =>
    (name: string): string | undefined =>
      values[name];

  it('reads retry-after-ms first, then Retry-After, capped at the longest timer', () => {
    expect(retryAfterOfHeaders(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(
      1500,
    );
    expect(retryAfterOfHeaders(headers({ 'retry-after': '9' }))).toBe(9000);
    expect(retryAfterOfHeaders(headers({ 'retry-after-ms': '1e3, 5', 'retry-after': '2' }))).toBe(
      2000,
    );
    expect(retryAfterOfHeaders(headers({ 'retry-after-ms': '99999999999999' }))).toBe(MAX_TIMER_MS);
  });

  it('leaves a retry-after-ms of 0 to a Retry-After beside it, and reads it as 0 alone', () => {
    expect(retryAfterOfHeaders(headers({ 'retry-after-ms': '0', 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterOfHeaders(headers({ 'retry-after-ms': '0' }))).toBe(0);
    expect(retryAfterOfHeaders(headers({}))).toBeUndefined();
  });
});
