import { recordingLogger } from '@x/internal/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { linkedState, primaryAndBackup as pairOf } from './__fixtures__/routers';
import { createRouter } from './router';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function primaryAndBackup(logger: object) {
  return pairOf({ cooldown: { failures: 2, windowMs: 10_000, durationMs: 5_000 }, logger });
}

describe('createRouter logger', () => {
  it('logs a deployment passed over for a field its server cannot take as unsupported, not failed', async () => {
    const { logger, entries } = recordingLogger();
    const { a, router } = primaryAndBackup(logger);
    a.script = [
      Object.assign(new RangeError('`request.logprobs` needs a newer server'), {
        unsupportedBy: 'server',
      }),
    ];
    await router.complete({ model: 'chat', messages: HI });
    expect(entries).toContainEqual([
      'info',
      expect.objectContaining({ event: 'fallback', deployment: 'a', reason: 'unsupported' }),
      'a cannot take the request (unsupported): falling back: `request.logprobs` needs a newer server',
    ]);
  });

  it('logs fallbacks at info, the cooldown at warn and the recovery at info, each naming @x/router and its event', async () => {
    const { logger, entries, lines } = recordingLogger();
    const { a, router } = primaryAndBackup(logger);
    a.script = [apiError(503), apiError(503)];
    for (let i = 0; i < 2; i++) await router.complete({ model: 'chat', messages: HI });
    expect(entries).toContainEqual([
      'info',
      {
        package: '@x/router',
        event: 'fallback',
        operation: 'complete',
        group: 'chat',
        deployment: 'a',
        reason: 'error',
        code: 'X_PROVIDER_FAKE_API',
        kind: 'api',
      },
      'a failed (error): falling back: Fake /chat answered 503: status 503',
    ]);
    expect(entries).toContainEqual([
      'warn',
      {
        package: '@x/router',
        event: 'cooldown',
        group: 'chat',
        deployment: 'a',
        reason: 'failures',
        durationMs: 5_000,
        source: 'local',
      },
      'a out of rotation for 5000 ms (failures, local)',
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    await router.complete({ model: 'chat', messages: HI });
    expect(entries.at(-2)).toEqual([
      'info',
      {
        package: '@x/router',
        event: 'recovered',
        group: 'chat',
        deployment: 'a',
        source: 'probe',
        outForMs: 5_000,
      },
      'a back in rotation after 5000 ms (probe)',
    ]);
    expect(lines()).toEqual([
      'info fallback',
      'debug response',
      'warn cooldown',
      'info fallback',
      'debug response',
      'info recovered',
      'debug response',
    ]);
    expect(entries[1]![1]).toMatchObject({ deployment: 'b', servedBy: 'chat', fallbacks: 1 });
  });

  it('logs a call that failed everywhere at error', async () => {
    const { logger, entries } = recordingLogger();
    const { a, b, router } = primaryAndBackup(logger);
    a.fallback = apiError(503);
    b.fallback = apiError(503);
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toMatchObject({
      code: 'X_ROUTER_ALL_FAILED',
    });
    expect(entries.at(-1)).toEqual([
      'error',
      {
        package: '@x/router',
        event: 'call-failed',
        operation: 'complete',
        group: 'chat',
        code: 'X_ROUTER_ALL_FAILED',
        error: expect.any(String),
        calls: 2,
      },
      expect.stringMatching(/^chat failed after 2 call\(s\): /),
    ]);
  });

  it('logs the shared state unavailable at warn and back at info, scrubbing connection strings', () => {
    const { logger, entries } = recordingLogger();
    const { state, link } = linkedState();
    createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' }],
      state,
      logger,
    });
    link().unavailable({ kind: 'redis', reason: 'error', error: 'redis://:hunter2@db:6379' });
    link().available({ kind: 'redis', downMs: 1_500 });
    expect(entries).toEqual([
      [
        'warn',
        {
          package: '@x/router',
          event: 'state-unavailable',
          kind: 'redis',
          reason: 'error',
          error: 'redis://[redacted]@db:6379',
        },
        "the shared redis state is unavailable (error): cooldowns are this instance's own",
      ],
      [
        'info',
        { package: '@x/router', event: 'state-recovered', kind: 'redis', downMs: 1_500 },
        'the shared redis state is back after 1500 ms',
      ],
    ]);
  });

  it('serves the call when the logger throws, reporting the error as a warning', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const logger = {
        debug: () => {
          throw new Error('log sink full');
        },
      };
      const { router } = primaryAndBackup(logger);
      const answer = await router.complete({ model: 'chat', messages: HI });
      expect(answer.route.deployment).toBe('a');
      expect(warning).toHaveBeenCalledWith(
        '@x/router: the logger threw: Error: log sink full',
        expect.objectContaining({ type: 'XLoggerError', code: 'X_ROUTER_LOGGER_ERROR' }),
      );
    } finally {
      warning.mockRestore();
    }
  });

  it('throws a TypeError for a logger without log methods, and for a misspelt logger key', () => {
    const deployments = [{ id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' }];
    expect(() => createRouter({ deployments, logger: 42 as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `42` (number)',
      ),
    );
    expect(() => createRouter({ deployments, loggers: console } as never)).toThrow(
      /Unknown option `loggers`: did you mean `logger`\?/,
    );
  });
});
