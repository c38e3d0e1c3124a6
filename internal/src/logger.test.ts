import { afterEach, describe, expect, it, vi } from 'vitest';
import { unhandledRejectionsOf } from '../testing/unhandled';
import { expectLogger, type LogMethod, PackageLog } from './logger';

afterEach(() => {
  vi.restoreAllMocks();
});

function recorder() {
  const entries: Array<{ level: string; fields: Record<string, unknown>; message?: string }> = [];
  const method =
    (level: string): LogMethod =>
    (fields, message) =>
      entries.push({ level, fields, message });
  return {
    entries,
    logger: {
      debug: method('debug'),
      info: method('info'),
      warn: method('warn'),
      error: method('error'),
    },
  };
}

describe('PackageLog', () => {
  it('writes one object then a message, with package and base fields first, when a logger is given', () => {
    const { entries, logger } = recorder();
    const log = new PackageLog('provider-ollama', logger, { provider: 'gpu-1' });
    expect(log.enabled).toBe(true);
    log.warn({ event: 'retry', model: 'llama3.2', code: 'X_A', attempt: 2 }, 'retrying');
    expect(entries).toEqual([
      {
        level: 'warn',
        fields: {
          package: '@x/provider-ollama',
          provider: 'gpu-1',
          event: 'retry',
          model: 'llama3.2',
          code: 'X_A',
          attempt: 2,
        },
        message: 'retrying',
      },
    ]);
    expect(Object.keys(entries[0]!.fields).slice(0, 3)).toEqual(['package', 'provider', 'event']);
  });

  it('drops undefined fields and scrubs string fields and the message when given a redactor', () => {
    const { entries, logger } = recorder();
    const log = new PackageLog('pkg', logger, {}, (text) =>
      text.replaceAll('sk-secret', '[redacted]'),
    );
    log.error(
      { event: 'call-failed', code: undefined, message: 'echo sk-secret' },
      'got sk-secret',
    );
    expect(entries[0]!.fields).toEqual({
      package: '@x/pkg',
      event: 'call-failed',
      message: 'echo [redacted]',
    });
    expect(entries[0]!.message).toBe('got [redacted]');
  });

  it('stays silent and reports disabled when no logger is given', () => {
    const log = new PackageLog('pkg', undefined);
    expect(log.enabled).toBe(false);
    expect(() => log.error({ event: 'x' }, 'nothing')).not.toThrow();
  });

  it('falls back to log for a missing level and skips a level the logger cannot write', () => {
    const lines: unknown[][] = [];
    new PackageLog('pkg', { log: (...args) => lines.push(args) }).debug({ event: 'a' }, 'one');
    new PackageLog('pkg', { warn: (...args) => lines.push(args) }).debug({ event: 'b' }, 'two');
    expect(lines).toEqual([[{ package: '@x/pkg', event: 'a' }, 'one']]);
  });

  it('works with console, calling the method with console as this', () => {
    const spy = vi.spyOn(console, 'info').mockImplementation(() => {});
    new PackageLog('pkg', console).info({ event: 'x', model: 'm' }, 'hello');
    expect(spy).toHaveBeenCalledWith({ package: '@x/pkg', event: 'x', model: 'm' }, 'hello');
  });

  it('reports a throwing logger as a process warning and never throws', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const log = new PackageLog('provider-ollama', {
      warn: () => {
        throw new Error('disk full');
      },
    });
    expect(() => log.warn({ event: 'retry' }, 'x')).not.toThrow();
    expect(warn).toHaveBeenCalledWith('@x/provider-ollama: the logger threw: Error: disk full', {
      type: 'XLoggerError',
      code: 'X_PROVIDER_OLLAMA_LOGGER_ERROR',
    });
  });
});

describe('PackageLog with a logger that fails', () => {
  it('reports an async log method whose promise rejects, once, without an unhandled rejection', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const log = new PackageLog('pool', {
      debug: async () => {
        throw new Error('log sink down');
      },
    });
    const unhandled = await unhandledRejectionsOf(() => {
      expect(() => log.debug({ event: 'socket' }, 'x')).not.toThrow();
    });
    expect(unhandled).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('@x/pool: the logger threw: Error: log sink down', {
      type: 'XLoggerError',
      code: 'X_POOL_LOGGER_ERROR',
    });
  });

  it('never throws for a thrown value that cannot be made a string, sync or async', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const thrown: unknown[] = [
      Object.create(null),
      {
        toString() {
          throw new Error('no text');
        },
      },
      proxy,
    ];
    const unhandled = await unhandledRejectionsOf(() => {
      for (const value of thrown) {
        const sync = new PackageLog('pkg', {
          warn: () => {
            throw value;
          },
        });
        const async = new PackageLog('pkg', { warn: () => Promise.reject(value) });
        expect(() => sync.warn({ event: 'x' }, 'x')).not.toThrow();
        expect(() => async.warn({ event: 'x' }, 'x')).not.toThrow();
      }
    });
    expect(unhandled).toEqual([]);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      '@x/pkg: the logger threw: `{}` (object)',
      '@x/pkg: the logger threw: `{}` (object)',
      '@x/pkg: the logger threw: an unreadable object',
      // the async ones, reported a microtask later
      '@x/pkg: the logger threw: `{}` (object)',
      '@x/pkg: the logger threw: `{}` (object)',
      '@x/pkg: the logger threw: an unreadable object',
    ]);
  });

  it('hides a credential the logger quotes in its error, and applies the package redactor', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const log = new PackageLog(
      'pkg',
      {
        error: () => {
          throw new Error('POST https://svc:hunter2@logs.example/in failed (tenant acme-secret)');
        },
      },
      {},
      (text) => text.replaceAll('acme-secret', '[tenant]'),
    );
    log.error({ event: 'x' }, 'x');
    const [message] = warn.mock.calls[0] as [string];
    expect(message).toBe(
      '@x/pkg: the logger threw: Error: POST https://[redacted]@logs.example/in failed (tenant [tenant])',
    );
  });
});

describe('expectLogger', () => {
  it('accepts undefined, console and an object with one log method', () => {
    expect(expectLogger('logger', undefined)).toBeUndefined();
    expect(expectLogger('logger', console)).toBe(console);
    const only = { debug: () => {} };
    expect(expectLogger('logger', only)).toBe(only);
  });

  it('throws a TypeError naming the option when the value cannot log', () => {
    expect(() => expectLogger('logger', {})).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{}` (object)',
      ),
    );
    expect(() => expectLogger('logger', 'console')).toThrow(TypeError);
  });
});
