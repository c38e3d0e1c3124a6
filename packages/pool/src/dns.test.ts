import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CountingServer,
  FAKE_TIMERS,
  refusedPort,
  startServer,
  startServersOnOnePort,
} from './__fixtures__/servers';
import { isPoolDnsError, PoolDnsError } from './errors';
import type { ResolvedAddress } from './options';
import { createPool, type Pool } from './pool';

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  vi.useRealTimers();
});

type Answer = readonly ResolvedAddress[] | Error;

/** A resolver that answers from a script and records the hostnames it was asked for. */
function scriptedResolver(...answers: Answer[]) {
  const calls: string[] = [];
  let last: Answer = answers[answers.length - 1] ?? [];
  const resolver = vi.fn(async (hostname: string) => {
    calls.push(hostname);
    const next = answers.shift() ?? last;
    last = next;
    if (next instanceof Error) throw next;
    return next;
  });
  return { resolver, calls };
}

async function closingServer(): Promise<CountingServer> {
  // Connection: close makes every request open a socket, hence do a DNS lookup.
  const s = await startServer({ closeConnection: true });
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

const notFound = () => Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });

describe('createPool DNS cache', () => {
  it('answers from the cache until the record TTL expires', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await closingServer();
    const { resolver } = scriptedResolver([{ address: '127.0.0.1', ttl: 30 }]);
    const p = pool({ resolver });
    const url = `http://api.test:${s.port}/`;
    for (let i = 0; i < 3; i++) expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(s.sockets.opened).toBe(3);
    expect(p.stats().dns).toMatchObject({ hits: 2, misses: 1, queries: 1, entries: 1 });
    await vi.advanceTimersByTimeAsync(29_000);
    await get(p, url);
    expect(resolver).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await get(p, url);
    expect(resolver).toHaveBeenCalledTimes(2);
    expect(resolver).toHaveBeenCalledWith(
      'api.test',
      expect.objectContaining({ signal: expect.any(AbortSignal) }),
    );
  });

  it('caps a longer record TTL at dnsTtlMs', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await closingServer();
    const { resolver } = scriptedResolver([{ address: '127.0.0.1', ttl: 3600 }]);
    const p = pool({ resolver, dnsTtlMs: 10_000 });
    const url = `http://api.test:${s.port}/`;
    await get(p, url);
    await vi.advanceTimersByTimeAsync(9_999);
    await get(p, url);
    expect(resolver).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await get(p, url);
    expect(resolver).toHaveBeenCalledTimes(2);
  });

  it('shares one query between concurrent lookups of one name', async () => {
    const s = await closingServer();
    let answer!: (value: ResolvedAddress[]) => void;
    const resolver = vi.fn(() => new Promise<ResolvedAddress[]>((resolve) => (answer = resolve)));
    const p = pool({ resolver, connectionsPerHost: 5 });
    const url = `http://api.test:${s.port}/`;
    const all = Promise.all(Array.from({ length: 5 }, () => get(p, url)));
    await vi.waitFor(() => expect(resolver).toHaveBeenCalled());
    answer([{ address: '127.0.0.1' }]);
    expect(await all).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(p.stats().dns).toMatchObject({ misses: 5, queries: 1 });
  });

  it('fails at once from the negative cache until dnsNegativeTtlMs passes', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await closingServer();
    const failure = notFound();
    const { resolver } = scriptedResolver(failure, failure, [{ address: '127.0.0.1' }]);
    const p = pool({ resolver, dnsNegativeTtlMs: 2_000 });
    const url = `http://missing.test:${s.port}/`;

    const first = await get(p, url).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(PoolDnsError);
    expect(first).toMatchObject({ code: 'X_POOL_DNS', hostname: 'missing.test', cached: false });
    expect((first as Error).cause).toBe(failure);

    const second = await get(p, url).catch((e: unknown) => e);
    expect(isPoolDnsError(second)).toBe(true);
    expect((second as PoolDnsError).cached).toBe(true);
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(p.stats().dns).toMatchObject({ negative: 1, errors: 1 });

    await vi.advanceTimersByTimeAsync(2_000);
    await expect(get(p, url)).rejects.toMatchObject({ cached: false });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(3);
    expect(s.requests).toBe(1);
  });

  it('keeps negative and positive TTLs when the wall clock steps back', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await closingServer();
    const answer = [{ address: '127.0.0.1', ttl: 30 }];
    const { resolver } = scriptedResolver(notFound(), answer, answer);
    const p = pool({ resolver, dnsNegativeTtlMs: 2_000 });
    const url = `http://stepped.test:${s.port}/`;
    await expect(get(p, url)).rejects.toBeInstanceOf(PoolDnsError);
    // An NTP step of an hour back moves Date only (the fake performance.now is separate).
    const monotonic = performance.now();
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(performance.now()).toBe(monotonic);
    await vi.advanceTimersByTimeAsync(2_000);
    // Before: the failure was remembered for the step too, an hour and 2 s.
    expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(2);
    vi.setSystemTime(Date.now() - 3_600_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(3);
  });

  it('serves the expired answer for at most dnsMaxStaleMs while the resolver fails', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const s = await closingServer();
    const { resolver } = scriptedResolver([{ address: '127.0.0.1', ttl: 10 }], notFound());
    const p = pool({ resolver, dnsMaxStaleMs: 30_000, dnsNegativeTtlMs: 1_000 });
    const url = `http://flaky.test:${s.port}/`;
    await get(p, url);
    await vi.advanceTimersByTimeAsync(10_000);

    expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(2);
    expect(p.stats().dns.stale).toBe(1);
    // Within dnsNegativeTtlMs of the failure the stale answer is served without a new query.
    expect(await get(p, url)).toBe('ok');
    expect(resolver).toHaveBeenCalledTimes(2);
    expect(p.stats().dns.stale).toBe(2);

    // The answer expired at 10 s; it may be served stale until 10 s + 30 s.
    await vi.advanceTimersByTimeAsync(29_999);
    expect(await get(p, url)).toBe('ok');
    await vi.advanceTimersByTimeAsync(1);
    await expect(get(p, url)).rejects.toBeInstanceOf(PoolDnsError);
    expect(s.requests).toBe(4);
  });

  it('rotates connections over every address of the answer', async () => {
    const [a, b] = await startServersOnOnePort(['127.0.0.1', '127.0.0.2'], {
      closeConnection: true,
    });
    servers.push(a!, b!);
    const { resolver } = scriptedResolver([{ address: '127.0.0.1' }, { address: '127.0.0.2' }]);
    const p = pool({ resolver });
    for (let i = 0; i < 6; i++) await get(p, `http://multi.test:${a!.port}/`);
    expect(a!.requests).toBe(3);
    expect(b!.requests).toBe(3);
    expect(resolver).toHaveBeenCalledTimes(1);
  });

  it('skips an address that refuses connections and tries it last afterwards', async () => {
    const s = await closingServer();
    const port = s.port;
    // 127.0.0.3 has nothing listening on this port (s listens on 127.0.0.1 only).
    const { resolver } = scriptedResolver([{ address: '127.0.0.3' }, { address: '127.0.0.1' }]);
    const p = pool({ resolver });
    const addresses: string[] = [];
    p.onConnect((e) => addresses.push(e.address));
    for (let i = 0; i < 4; i++) expect(await get(p, `http://half.test:${port}/`)).toBe('ok');
    expect(addresses).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(s.requests).toBe(4);
  });

  it('fails with the connect error when every address refuses', async () => {
    const port = await refusedPort();
    const { resolver } = scriptedResolver([{ address: '127.0.0.1' }]);
    const p = pool({ resolver });
    await expect(get(p, `http://down.test:${port}/`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(p.stats().totals.sockets).toBe(0);
  });

  it('gives up on a resolver that does not answer within connectTimeoutMs', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    let signal: AbortSignal | undefined;
    const resolver = vi.fn((_host: string, options: { signal: AbortSignal }) => {
      signal = options.signal;
      return new Promise<ResolvedAddress[]>(() => {});
    });
    const p = pool({ resolver, connectTimeoutMs: 1_000 });
    const failed = get(p, 'http://slow.test:1/').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await failed;
    expect(isPoolDnsError(error)).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it('never asks the resolver about IP literals', async () => {
    const s = await closingServer();
    const { resolver } = scriptedResolver([{ address: '10.0.0.1' }]);
    const p = pool({ resolver });
    expect(await get(p, s.url)).toBe('ok');
    expect(resolver).not.toHaveBeenCalled();
    expect(p.stats().dns).toMatchObject({ hits: 0, misses: 0, queries: 0 });
  });

  it('reports every lookup outcome to onDnsLookup', async () => {
    const s = await closingServer();
    const { resolver } = scriptedResolver([{ address: '127.0.0.1' }]);
    const p = pool({ resolver });
    const outcomes: string[] = [];
    p.onDnsLookup((e) => outcomes.push(`${e.hostname}:${e.outcome}`));
    await get(p, `http://seen.test:${s.port}/`);
    await get(p, `http://seen.test:${s.port}/`);
    expect(outcomes).toEqual(['seen.test:miss', 'seen.test:hit']);
  });

  it('uses the valid addresses of an answer with malformed entries, and only their TTLs', async () => {
    const s = await closingServer();
    const ok = { address: '127.0.0.1', ttl: 60 };
    const answers: unknown[][] = [
      [null, ok],
      [undefined, ok],
      ['127.0.0.2', 7, ok],
      // A skipped entry's TTL does not expire the answer at once.
      [{ address: 'nope', ttl: 0 }, { ttl: 0 }, ok],
    ];
    for (const answer of answers) {
      const { resolver } = scriptedResolver(answer as ResolvedAddress[]);
      const p = pool({ resolver });
      // Before: a raw TypeError (reading 'ttl' of null), not a PoolDnsError.
      expect(await get(p, `http://mixed.test:${s.port}/`)).toBe('ok');
      expect(await get(p, `http://mixed.test:${s.port}/`)).toBe('ok');
      expect(p.stats().dns).toMatchObject({ queries: 1, hits: 1, errors: 0 });
    }
  });

  it('fails with PoolDnsError when reading an entry of the answer throws', async () => {
    const cause = new Error('getter failed');
    const entry = {
      get address(): string {
        throw cause;
      },
    };
    const p = pool({ resolver: async () => [entry] });
    const error = await p.request('http://throws.test/').catch((e: unknown) => e);
    expect(isPoolDnsError(error)).toBe(true);
    expect(error).toMatchObject({ hostname: 'throws.test', cached: false, cause });
  });
});
