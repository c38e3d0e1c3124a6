import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseGoDuration } from './go-duration';
import { Quota } from './quota';
import { goDurationMs } from './rate-limit';

afterEach(() => {
  vi.useRealTimers();
});

describe('goDurationMs', () => {
  it('writes durations as Go does: 20ms, 1s, 3.89s, 6m0s, 1h0m0s', () => {
    expect(
      [0, 0.2, 20, 999.1, 1000, 3890, 59_999, 60_000, 90_500, 360_000, 3_600_000].map(goDurationMs),
    ).toEqual([
      '0s',
      '1ms',
      '20ms',
      '1s',
      '1s',
      '3.89s',
      '59.999s',
      '1m0s',
      '1m30.5s',
      '6m0s',
      '1h0m0s',
    ]);
  });

  it('reads back as the same whole milliseconds, rounded up, for any duration', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 31, noNaN: true }), (ms) => {
        const parsed = parseGoDuration(goDurationMs(ms));
        expect(parsed.ok).toBe(true);
        expect(Math.round((parsed as { ns: number }).ns / 1e6)).toBe(Math.ceil(ms));
      }),
    );
  });
});

describe('Quota', () => {
  it('admits at most `requests` per key in any window and refuses only a full window', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 1000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom('a', 'b')), {
          maxLength: 60,
        }),
        (limit, windowMs, arrivals) => {
          vi.setSystemTime(0);
          const quota = new Quota({ requests: limit, tokens: undefined, windowMs });
          // The model: each key's window starts at its first request after the last one ended.
          const windows = new Map<string, { start: number; admitted: number }>();
          for (const [gap, key] of arrivals) {
            vi.setSystemTime(Date.now() + gap);
            const now = Date.now();
            let w = windows.get(key);
            if (w === undefined || now >= w.start + windowMs) {
              w = { start: now, admitted: 0 };
              windows.set(key, w);
            }
            const result = quota.admit(`Bearer ${key}`, 'm');
            expect('ticket' in result).toBe(w.admitted < limit);
            if ('ticket' in result) w.admitted++;
            else
              expect(Number(result.rejected.headers['retry-after-ms'])).toBe(
                w.start + windowMs - now,
              );
          }
        },
      ),
    );
  });

  it('accounts keys beyond its bound under one shared id', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const quota = new Quota({ requests: 1, tokens: undefined, windowMs: 60_000 });
    for (let i = 0; i < 10_002; i++) quota.admit(`Bearer k${i}`, undefined);
    const stats = quota.stats();
    expect(Object.keys(stats)).toHaveLength(10_001);
    expect(stats.other).toEqual({ admitted: 1, rejected: 1 });
    // The stats stay bounded too: after every window ended, a new key still goes to `other`.
    vi.setSystemTime(Date.now() + 60_000);
    quota.admit('Bearer fresh', undefined);
    expect(quota.stats().other).toEqual({ admitted: 2, rejected: 1 });
  });

  it('looks over its keys again only once a window may have ended, not for each new key', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const quota = new Quota({ requests: 1, tokens: undefined, windowMs: 60_000 });
    for (let i = 0; i < 10_000; i++) quota.admit(`Bearer k${i}`, undefined);
    const windows = (quota as unknown as { windows: Map<string, unknown> }).windows;
    const scans = vi.spyOn(windows, Symbol.iterator);
    for (let i = 0; i < 1_000; i++) quota.admit(`Bearer new${i}`, undefined);
    expect(scans.mock.calls.length).toBeLessThanOrEqual(1);
    // Once the windows ended, the next new key finds room again.
    vi.setSystemTime(Date.now() + 60_000);
    expect('ticket' in quota.admit('Bearer later', undefined)).toBe(true);
    expect(scans.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('still sweeps after a sweep that emptied its table', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const quota = new Quota({ requests: 1, tokens: undefined, windowMs: 1_000 });
    for (let i = 0; i < 10_000; i++) quota.admit(`Bearer k${i}`, undefined);
    vi.setSystemTime(Date.now() + 1_000);
    // Every window ended: this sweep drops them all.
    quota.admit('Bearer new', undefined);
    for (let i = 0; i < 9_999; i++) quota.admit(`Bearer k${i}`, undefined);
    vi.setSystemTime(Date.now() + 5_000);
    const before = quota.stats().other?.admitted ?? 0;
    // A known key whose window ended is accounted under its own id again, not under `other`.
    expect('ticket' in quota.admit('Bearer k9999', undefined)).toBe(true);
    expect(quota.stats().other?.admitted ?? 0).toBe(before);
  });
});
