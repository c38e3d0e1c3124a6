import { recordingLogger } from '@x/internal/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';
import type { CacheStore } from './store';

const req = (n: number) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});

/** A store whose `get` answers `answer` (or throws it when it is an Error). */
function store(answer: Uint8Array | Error | undefined): CacheStore {
  const reply = async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { get: reply, set: async () => {}, delete: async () => {} };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createCache logger', () => {
  it('logs a store failure at warn, with the connection string the driver quoted scrubbed', async () => {
    const { logger, entries } = recordingLogger();
    const down = new Error('connect to redis://:hunter2@cache.internal:6379 refused');
    const cache = createCache({ logger, store: store(down) });
    expect(await cache.lookup(req(1))).toBeUndefined();
    expect(entries).toEqual([
      [
        'warn',
        {
          package: '@x/cache',
          event: 'store-error',
          code: 'X_CACHE_STORE_FAILED',
          operation: 'get',
          timedOut: false,
        },
        'Cache store `get` failed: connect to redis://[redacted]@cache.internal:6379 refused: serving from memory or the loader',
      ],
    ]);
    expect(JSON.stringify(entries)).not.toContain('hunter2');
  });

  it('logs an entry the store returned corrupt at warn, naming the key and the reason', async () => {
    const { logger, entries } = recordingLogger();
    const cache = createCache({ logger, store: store(new Uint8Array([1, 2, 3])) });
    expect(await cache.lookup(req(1))).toBeUndefined();
    expect(entries).toContainEqual([
      'warn',
      { package: '@x/cache', event: 'corrupt-entry', key: cache.key(req(1)), reason: 'format' },
      'the store returned a corrupt entry (format): treated as a miss and deleted',
    ]);
  });

  it('logs a failed loader at debug with the key, never the request', async () => {
    const { logger, entries } = recordingLogger();
    const cache = createCache({ logger });
    const failing = async () => {
      throw Object.assign(new Error('upstream 500'), { code: 'X_UPSTREAM' });
    };
    await expect(cache.getOrLoad(req(1), failing)).rejects.toThrow('upstream 500');
    expect(entries).toEqual([
      [
        'debug',
        {
          package: '@x/cache',
          event: 'loader-failed',
          key: cache.key(req(1)),
          code: 'X_UPSTREAM',
          error: 'Error',
        },
        'the loader failed: nothing stored',
      ],
    ]);
    expect(JSON.stringify(entries)).not.toContain('question 1');
  });

  it('sums evictions into at most one debug entry a minute', () => {
    const { logger, entries } = recordingLogger();
    const cache = createCache({ logger, maxEntries: 1, strategy: 'aggressive' });
    for (let n = 0; n < 4; n++) cache.set(req(n), `v${n}`);
    vi.advanceTimersByTime(60_000);
    cache.set(req(4), 'v4');
    expect(entries.map(([level, fields]) => [level, fields])).toEqual([
      ['debug', { package: '@x/cache', event: 'evictions', entries: 1, bytes: 0, expired: 0 }],
      ['debug', { package: '@x/cache', event: 'evictions', entries: 3, bytes: 0, expired: 0 }],
    ]);
  });

  it('serves the call when the logger throws, reporting the error as a warning', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const logger = {
        warn: () => {
          throw new Error('log sink full');
        },
      };
      const cache = createCache({ logger, store: store(new Error('down')) });
      expect(await cache.getOrLoad(req(1), async () => 'v')).toBe('v');
      expect(warning).toHaveBeenCalledWith(
        '@x/cache: the logger threw: Error: log sink full',
        expect.objectContaining({ type: 'XLoggerError', code: 'X_CACHE_LOGGER_ERROR' }),
      );
    } finally {
      warning.mockRestore();
    }
  });

  it('throws a TypeError for a logger without log methods, and for a misspelt logger key', () => {
    expect(() => createCache({ logger: 'console' as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `"console"` (string)',
      ),
    );
    expect(() => createCache({ loger: console } as never)).toThrow(
      /Unknown option `loger`: did you mean `logger`\?/,
    );
  });
});
