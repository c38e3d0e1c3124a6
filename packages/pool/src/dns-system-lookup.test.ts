import { until } from '@x/internal/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CountingServer, startServer } from './__fixtures__/servers';
import { isPoolDnsError } from './errors';
import { createPool, type Pool } from './pool';

// The operating system's resolver (the default), replaced by calls that answer only when told:
// a getaddrinfo that hangs, which nothing can cancel.
const os = vi.hoisted(() => {
  type Answer = { address: string; family: number }[];
  const calls: { hostname: string; answer: (records: Answer) => void; done: boolean }[] = [];
  const lookup = (hostname: string) =>
    new Promise<Answer>((resolve) => {
      const call = {
        hostname,
        done: false,
        answer: (records: Answer) => {
          call.done = true;
          resolve(records);
        },
      };
      calls.push(call);
    });
  return { calls, lookup };
});

vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  const promises = { ...real.promises, lookup: os.lookup };
  return { ...real, default: { ...real, promises }, promises };
});

// libuv's default: 3 lookups at once, one thread left for fs, crypto and zlib.
beforeAll(() => {
  vi.stubEnv('UV_THREADPOOL_SIZE', '4');
});

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // The hung calls end, so the next test starts with every call free.
  for (const call of os.calls.splice(0)) if (!call.done) call.answer([]);
  await new Promise((resolve) => setImmediate(resolve));
});

function pool(options: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

async function server(): Promise<CountingServer> {
  const s = await startServer({ closeConnection: true });
  servers.push(s);
  return s;
}

const hostnames = () => os.calls.map((c) => c.hostname);
const localhost = [{ address: '127.0.0.1', family: 4 }];

describe('the default resolver (dns.lookup, which cannot be cancelled)', () => {
  it('piles up no lookups for requests to many hosts that each gave up', async () => {
    const s = await server();
    const p = pool({});
    const gone = Array.from({ length: 20 }, (_, i) => {
      const controller = new AbortController();
      const result = p
        .request(`http://h${i}.test:${s.port}/`, { signal: controller.signal })
        .catch((e: unknown) => e);
      return { controller, result };
    });
    await until(() => p.stats().dns.misses === 20);
    // Before: one getaddrinfo per host, 20 at once, all still holding threads after the aborts.
    expect(hostnames()).toEqual(['h0.test', 'h1.test', 'h2.test']);
    for (const g of gone) g.controller.abort(new Error('gave up'));
    await Promise.all(gone.map((g) => g.result));

    // h0's call still runs: a new request for h0 joins it instead of taking a second thread.
    const again = p.request(`http://h0.test:${s.port}/`).then((res) => res.body.text());
    await until(() => p.stats().dns.misses === 21);
    expect(hostnames()).toHaveLength(3);
    os.calls[0]!.answer(localhost);
    expect(await again).toBe('ok');
    // The 17 lookups that waited for a free call left with their requests: none ever runs.
    os.calls[1]!.answer(localhost);
    os.calls[2]!.answer(localhost);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hostnames()).toHaveLength(3);
    // The answers nobody waited for are not cached.
    expect(p.stats().dns).toMatchObject({ entries: 1, queries: 21 });
  });

  it('keeps a lookup behind hung ones waiting, bounded by connectTimeoutMs', async () => {
    const s = await server();
    const p = pool({ connectTimeoutMs: 300, dnsNegativeTtlMs: 0 });
    const hung = ['a', 'b', 'c'].map((h) =>
      p.request(`http://${h}.test:${s.port}/`).catch((e: unknown) => e),
    );
    await until(() => os.calls.length === 3);
    const started = performance.now();
    const error = await p.request(`http://fine.test:${s.port}/`).catch((e: unknown) => e);
    expect(isPoolDnsError(error)).toBe(true);
    expect((error as Error).cause).toMatchObject({
      message:
        'DNS query for fine.test timed out after 300 ms, waiting for its turn behind 3 OS resolver lookups still running',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    for (const result of hung) expect(isPoolDnsError(await result)).toBe(true);
    // Every thread is still held by a hung call: fine.test's turn never came.
    expect(hostnames()).toEqual(['a.test', 'b.test', 'c.test']);

    // One hung call ends: the next lookup runs at once.
    os.calls[0]!.answer(localhost);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fine = p.request(`http://fine.test:${s.port}/`).then(
      (res) => res.body.text(),
      (e: unknown) => e,
    );
    await until(() => os.calls.length === 4);
    expect(os.calls[3]!.hostname).toBe('fine.test');
    os.calls[3]!.answer(localhost);
    expect(await fine).toBe('ok');
  });
});
