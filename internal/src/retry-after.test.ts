import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after';
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
