import { recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CountingServer, FAKE_TIMERS, refusedPort, startServer } from './__fixtures__/servers';
import type { ResolvedAddress } from './options';
import { createPool, type Pool } from './pool';

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  vi.useRealTimers();
});

async function server(options: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

function pool(options: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

async function get(p: Pool, url: string): Promise<string> {
  const res = await p.request(url);
  return res.body.text();
}

describe('createPool logger', () => {
  it('logs sockets at debug and the end of the pool at info, each entry naming @x/pool and its event', async () => {
    const s = await server();
    const { logger, entries } = recordingLogger();
    const resolver = vi.fn(async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1' }]);
    const p = createPool({ logger, resolver });
    expect(await get(p, `http://api.test:${s.port}/`)).toBe('ok');
    await p.close();
    const url = `http://api.test:${s.port}`;
    expect(entries).toEqual([
      [
        'debug',
        { package: '@x/pool', event: 'dns-lookup', hostname: 'api.test' },
        'resolved api.test',
      ],
      [
        'debug',
        {
          package: '@x/pool',
          event: 'connect',
          origin: url,
          address: '127.0.0.1',
          connections: 1,
        },
        `connected to ${url} at 127.0.0.1`,
      ],
      [
        'debug',
        { package: '@x/pool', event: 'disconnect', origin: url, reason: 'pool-closed' },
        `socket to ${url} closed (pool-closed)`,
      ],
      [
        'info',
        {
          package: '@x/pool',
          event: 'closed',
          how: 'close',
          socketsCreated: 1,
          requestsServed: 1,
          queueTimeouts: 0,
        },
        'pool closed (close): 1 requests over 1 sockets',
      ],
    ]);
  });

  it('logs a refused connection at warn with its code', async () => {
    const port = await refusedPort();
    const { logger, entries } = recordingLogger();
    const p = pool({ logger });
    await expect(get(p, `http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(entries).toContainEqual([
      'warn',
      {
        package: '@x/pool',
        event: 'connect-failed',
        origin: `http://127.0.0.1:${port}`,
        code: 'ECONNREFUSED',
      },
      expect.stringContaining(`could not connect to http://127.0.0.1:${port}`),
    ]);
  });

  it('logs a DNS failure and a stale answer served at warn', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await server({ closeConnection: true });
    const { logger, entries } = recordingLogger();
    const answers: (ResolvedAddress[] | Error)[] = [
      [{ address: '127.0.0.1', ttl: 10 }],
      Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' }),
    ];
    const resolver = vi.fn(async () => {
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (next instanceof Error) throw next;
      return next;
    });
    const p = pool({ logger, resolver, dnsMaxStaleMs: 30_000 });
    const url = `http://flaky.test:${s.port}/`;
    await get(p, url);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await get(p, url)).toBe('ok');
    expect(entries.filter(([level]) => level === 'warn')).toEqual([
      [
        'warn',
        { package: '@x/pool', event: 'dns-stale', hostname: 'flaky.test' },
        'DNS failed for flaky.test: using its expired answer',
      ],
    ]);
    await vi.advanceTimersByTimeAsync(30_000);
    await expect(get(p, url)).rejects.toMatchObject({ code: 'X_POOL_DNS' });
    expect(entries.filter(([level]) => level === 'warn').at(-1)).toEqual([
      'warn',
      { package: '@x/pool', event: 'dns-failed', hostname: 'flaky.test' },
      'DNS failed for flaky.test',
    ]);
    expect(entries.filter(([level]) => level === 'warn')).toHaveLength(2);
  });

  it('logs a request that timed out in the queue at warn', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await server({ hold: true });
    const { logger, events } = recordingLogger();
    const p = pool({ logger, connectionsPerHost: 1, queueTimeoutMs: 1_000 });
    const first = get(p, s.url);
    await s.waitForRequests(1);
    const queued = p.request(s.url).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    await queued;
    expect(events('warn')).toEqual(['queue-timeout']);
    s.release();
    expect(await first).toBe('ok');
  });

  it('serves the request when the logger throws, reporting the error as a warning', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const s = await server();
      const logger = {
        debug: () => {
          throw new Error('log sink full');
        },
      };
      const p = pool({ logger });
      expect(await get(p, s.url)).toBe('ok');
      expect(warning).toHaveBeenCalledWith(
        '@x/pool: the logger threw: Error: log sink full',
        expect.objectContaining({ type: 'XLoggerError', code: 'X_POOL_LOGGER_ERROR' }),
      );
    } finally {
      warning.mockRestore();
    }
  });

  it('throws a TypeError for a logger without log methods', () => {
    expect(() => createPool({ logger: { warn: 'no' } as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{"warn":"no"}` (object)',
      ),
    );
  });
});
