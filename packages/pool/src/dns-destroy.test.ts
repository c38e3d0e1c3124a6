import { recordingLogger, until } from '@x/internal/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CountingServer, FAKE_TIMERS, startServer } from './__fixtures__/servers';
import { isPoolClosedError } from './errors';
import type { ResolvedAddress } from './options';
import { createPool, type Pool } from './pool';

// Fake timers before undici creates its first timer in this file, so every timer is counted.
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  vi.useRealTimers();
});

function pool(options: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

describe('destroy() with a DNS query in flight', () => {
  it('ends the query: no event, no log, no cache entry and no timer after it', async () => {
    const { logger, events } = recordingLogger();
    let signal: AbortSignal | undefined;
    // A resolver that honours its signal: it rejects as soon as the query is aborted.
    const resolver = (_hostname: string, options: { signal: AbortSignal }) => {
      signal = options.signal;
      return new Promise<ResolvedAddress[]>((_, reject) => {
        options.signal.addEventListener('abort', () => reject(options.signal.reason));
      });
    };
    const p = pool({ resolver, logger, connectTimeoutMs: 5_000 });
    const outcomes: string[] = [];
    p.onDnsLookup((e) => outcomes.push(e.outcome));
    const result = p.request('http://api.test:1/').catch((e: unknown) => e);
    await until(() => signal !== undefined);
    await p.destroy();
    expect(isPoolClosedError(await result)).toBe(true);
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    // Before: the aborted query was reported as a failure and cached as a negative entry.
    expect(outcomes).toEqual(['miss']);
    expect(events('warn')).toEqual([]);
    expect(p.stats().dns).toMatchObject({ entries: 0, errors: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('opens no socket and caches nothing when a resolver that ignores its signal answers later', async () => {
    const s = await startServer();
    servers.push(s);
    let answer: ((records: ResolvedAddress[]) => void) | undefined;
    const resolver = () =>
      new Promise<ResolvedAddress[]>((resolve) => {
        answer = resolve;
      });
    const p = pool({ resolver, connectTimeoutMs: 5_000 });
    const result = p.request(`http://api.test:${s.port}/`).catch((e: unknown) => e);
    await until(() => answer !== undefined);
    await p.destroy();
    expect(isPoolClosedError(await result)).toBe(true);
    // Before: the query's timer (connectTimeoutMs) outlived destroy().
    expect(vi.getTimerCount()).toBe(0);
    answer?.([{ address: '127.0.0.1' }]);
    await vi.advanceTimersByTimeAsync(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.sockets.opened).toBe(0);
    expect(p.stats().dns.entries).toBe(0);
    expect(p.stats().totals.sockets).toBe(0);
  });
});
