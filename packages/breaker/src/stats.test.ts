import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fail, ok, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// `stats()` and what `util.inspect` prints.

useFakeClock();

describe('createBreaker', () => {
  describe('stats', () => {
    it('returns a JSON-serialisable snapshot that never resets counters', async () => {
      const breaker = createBreaker({
        name: 'stats',
        failureThreshold: 2,
        window: { type: 'count', size: 10 },
      });
      await breaker.execute(ok);
      await fail(breaker, 2);
      await breaker.execute(ok).catch(() => {});
      const first = breaker.stats();
      expect(JSON.parse(JSON.stringify(first))).toEqual(first);
      expect(first).toEqual({
        name: 'stats',
        state: 'open',
        isolations: 0,
        calls: 3,
        successes: 1,
        failures: 2,
        ignored: 0,
        slowCalls: 0,
        rejections: 1,
        late: 0,
        probes: 0,
        probeTimeouts: 0,
        probesInFlight: 0,
        opened: 1,
        consecutiveFailures: 0,
        consecutiveSuccesses: 0,
        openTimeoutMs: 30_000,
        retryAfterMs: 30_000,
        window: {
          type: 'count',
          calls: 3,
          failures: 2,
          slow: 0,
          failureRate: 2 / 3,
          slowCallRate: 0,
        },
      });
      expect(breaker.stats()).toEqual(first);
    });

    it('is what util.inspect (console.log) prints, not the private fields', () => {
      const breaker = createBreaker({ name: 'shown' });
      const text = inspect(breaker);
      expect(text).toMatch(/^Breaker \{\s+name: 'shown',\s+state: 'closed',/);
      expect(text).toContain('calls: 0');
      expect(text).not.toMatch(/stateCode|generation|Channel|onClosed/);
      expect(inspect({ a: { b: breaker } }, { depth: 1 })).toBe('{ a: { b: [Breaker] } }');
    });
  });
});
