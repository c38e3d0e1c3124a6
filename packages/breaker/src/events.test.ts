import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { boom, fail, ok, path, recordTransitions, useFakeClock } from './__fixtures__/calls';
import { breakerChannels, createBreaker } from './index';

// The listeners, the diagnostics channels and the logger: what each hears, and a listener or a
// logger that throws.

useFakeClock();

describe('createBreaker', () => {
  describe('events (behaviour 7)', () => {
    it('emits exactly one event per transition, in order, and none for no-ops', async () => {
      const breaker = createBreaker({
        failureThreshold: 2,
        successThreshold: 1,
        openTimeoutMs: 50,
      });
      const events = recordTransitions(breaker);
      breaker.close(); // no-op
      await fail(breaker, 2);
      breaker.open(); // already open: no-op
      await fail(breaker, 3); // rejections
      await vi.advanceTimersByTimeAsync(50);
      expect(breaker.state).toBe('half-open');
      expect(breaker.state).toBe('half-open');
      await breaker.execute(ok);
      breaker.close(); // no-op
      const release = breaker.isolate();
      breaker.isolate()();
      release();
      release(); // second release: no-op
      expect(path(events)).toEqual([
        'closed>open:failure-threshold',
        'open>half-open:open-timeout',
        'half-open>closed:probe-success',
        'closed>open:isolate',
        'open>closed:release',
      ]);
      expect(events.every((e) => e.breaker === 'breaker' && typeof e.time === 'number')).toBe(true);
    });

    it('reports successes, failures and rejections to listeners until unsubscribed', async () => {
      const breaker = createBreaker({ failureThreshold: 2, openTimeoutMs: 1_000 });
      const seen: string[] = [];
      const offSuccess = breaker.onSuccess((e) => seen.push(`success:${e.probe}:${e.durationMs}`));
      const offFailure = breaker.onFailure((e) =>
        seen.push(`failure:${(e.error as Error).message}`),
      );
      const offReject = breaker.onReject((e) => seen.push(`reject:${e.reason}:${e.retryAfterMs}`));
      const timed = breaker.execute(
        () => new Promise((resolve) => setTimeout(() => resolve('slow'), 30)),
      );
      await vi.advanceTimersByTimeAsync(30);
      await timed;
      await fail(breaker, 2);
      await breaker.execute(ok).catch(() => {});
      offSuccess();
      offFailure();
      offReject();
      offReject(); // twice is fine
      await breaker.execute(ok).catch(() => {});
      expect(seen).toEqual([
        'success:false:30',
        'failure:boom',
        'failure:boom',
        'reject:open:1000',
      ]);
    });

    it('reports a throwing listener as a warning naming @x/breaker and the event, and the call still settles as it would', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const breaker = createBreaker({
          failureThreshold: 1,
          openTimeoutMs: 10,
          successThreshold: 1,
        });
        const seen: string[] = [];
        breaker.onStateChange(() => {
          throw new Error('listener bug');
        });
        breaker.onStateChange((e) => seen.push(e.to));
        // The failure that trips the breaker still rejects with its own error.
        await expect(breaker.execute(boom)).rejects.toThrow('boom');
        expect(breaker.state).toBe('open');
        await vi.advanceTimersByTimeAsync(10);
        // The probe whose success closes the breaker still resolves with its value.
        await expect(breaker.execute(ok)).resolves.toBe('ok');
        expect(breaker.state).toBe('closed');
        expect(seen).toEqual(['open', 'half-open', 'closed']);
        expect(warn).toHaveBeenCalledTimes(3);
        expect(warn).toHaveBeenCalledWith(
          "@x/breaker: a 'state-change' listener threw: Error: listener bug",
          expect.objectContaining({ type: 'XListenerError', code: 'X_BREAKER_LISTENER_ERROR' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('reports a throwing success listener as a warning and still resolves the call', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const breaker = createBreaker();
        breaker.onSuccess(() => {
          throw new Error('metrics down');
        });
        await expect(breaker.execute(ok)).resolves.toBe('ok');
        expect(breaker.stats()).toMatchObject({ successes: 1, failures: 0 });
        expect(warn).toHaveBeenCalledWith(
          "@x/breaker: a 'success' listener threw: Error: metrics down",
          expect.objectContaining({ type: 'XListenerError' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('reports a throwing logger as a warning instead of failing the call that tripped the breaker', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const logger = {
          warn: () => {
            throw new Error('log sink full');
          },
        };
        const breaker = createBreaker({ failureThreshold: 1, logger });
        await expect(breaker.execute(boom)).rejects.toThrow('boom');
        expect(breaker.state).toBe('open');
        expect(warn).toHaveBeenCalledWith(
          '@x/breaker: the logger threw: Error: log sink full',
          expect.objectContaining({ type: 'XLoggerError', code: 'X_BREAKER_LOGGER_ERROR' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('throws a TypeError when a listener is not a function', () => {
      const breaker = createBreaker();
      expect(() => breaker.onFailure('x' as never)).toThrow(
        'Expected `listener` to be a function, got `"x"` (string)',
      );
    });

    it('reports the error of a call that classify counted as a success', async () => {
      const breaker = createBreaker({ classify: () => 'success' });
      const events: unknown[] = [];
      breaker.onSuccess((e) => events.push(e.error));
      const error = new Error('404');
      await breaker.execute(() => Promise.reject(error)).catch(() => {});
      expect(events).toEqual([error]);
    });

    it('publishes on node:diagnostics_channel x:breaker:*', async () => {
      const messages: [string, unknown][] = [];
      const handlers = Object.values(breakerChannels).map((name) => {
        const handler = (message: unknown) => messages.push([name, message]);
        subscribe(name, handler);
        return [name, handler] as const;
      });
      try {
        const breaker = createBreaker({ name: 'dc', failureThreshold: 1 });
        await breaker.execute(ok);
        await fail(breaker);
        await breaker.execute(ok).catch(() => {});
        expect(messages.map(([name]) => name)).toEqual([
          'x:breaker:success',
          'x:breaker:failure',
          'x:breaker:state-change',
          'x:breaker:reject',
        ]);
        expect(messages[2]![1]).toMatchObject({ breaker: 'dc', from: 'closed', to: 'open' });
      } finally {
        for (const [name, handler] of handlers) unsubscribe(name, handler);
      }
    });

    it('logs each transition once, structured, at warn when opening and info otherwise', async () => {
      const logger = { warn: vi.fn(), info: vi.fn() };
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const breaker = createBreaker({
        name: 'llm',
        failureThreshold: 1,
        openTimeoutMs: 10,
        logger,
      });
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(10);
      expect(breaker.state).toBe('half-open');
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        {
          package: '@x/breaker',
          event: 'state-change',
          breaker: 'llm',
          from: 'closed',
          to: 'open',
          reason: 'failure-threshold',
          time: Date.parse('2026-01-01T00:00:00Z'),
        },
        'breaker "llm" closed -> open (failure-threshold)',
      );
      expect(logger.info).toHaveBeenCalledTimes(1);
      expect(logger.info.mock.calls[0]![0]).toMatchObject({
        package: '@x/breaker',
        event: 'state-change',
        from: 'open',
        to: 'half-open',
      });
    });

    it('falls back to logger.log when a level is missing', async () => {
      const logger = { log: vi.fn() };
      const breaker = createBreaker({ failureThreshold: 1, logger });
      await fail(breaker);
      expect(logger.log).toHaveBeenCalledTimes(1);
    });
  });
});
