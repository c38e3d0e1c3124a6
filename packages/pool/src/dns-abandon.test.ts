import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { recordingLogger, until } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CountingServer, FAKE_TIMERS, startServer } from './__fixtures__/servers';
import type { ResolvedAddress, Resolver } from './options';
import { createPool, type Pool } from './pool';

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

/** A resolver whose every call waits to be answered by the test; it records each call. */
function heldResolver(honoursSignal: boolean) {
  const calls: {
    hostname: string;
    signal: AbortSignal;
    answer: (records: ResolvedAddress[]) => void;
  }[] = [];
  const resolver = (hostname: string, { signal }: { signal: AbortSignal }) =>
    new Promise<ResolvedAddress[]>((resolve, reject) => {
      calls.push({ hostname, signal, answer: resolve });
      if (honoursSignal) signal.addEventListener('abort', () => reject(signal.reason));
    });
  return { resolver, calls };
}

describe('a DNS query whose requests all left', () => {
  it('is cancelled with the last one: its timer never fires, nothing is cached or logged', async () => {
    vi.useFakeTimers(FAKE_TIMERS);
    const { logger, events } = recordingLogger();
    const dns = heldResolver(true);
    const p = pool({ resolver: dns.resolver, logger, connectTimeoutMs: 1_000 });
    const outcomes: string[] = [];
    p.onDnsLookup((e) => outcomes.push(e.outcome));
    const first = new AbortController();
    const second = new AbortController();
    const url = 'http://api.test:1/';
    const a = p.request(url, { signal: first.signal }).catch((e: unknown) => e);
    const b = p.request(url, { signal: second.signal }).catch((e: unknown) => e);
    await until(() => outcomes.length === 2);
    expect(dns.calls).toHaveLength(1);

    first.abort(new Error('first gave up'));
    await a;
    // Another request still waits for the answer: the query goes on for it.
    expect(dns.calls[0]!.signal.aborted).toBe(false);
    second.abort(new Error('second gave up'));
    await b;
    // Before: the signal aborted only at the query timeout, which then cached a failure.
    expect(dns.calls[0]!.signal.aborted).toBe(true);
    expect(dns.calls[0]!.signal.reason).toMatchObject({
      message: 'DNS query for api.test abandoned: no request waits for it',
    });

    // Past connectTimeoutMs: the query's timer, had it been left, would report and cache a failure.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outcomes).toEqual(['miss', 'miss']);
    expect(events('warn')).toEqual([]);
    expect(p.stats().dns).toMatchObject({ entries: 0, errors: 0, queries: 1 });
  });

  it('leaves a later request a query of its own, whose answer the late one does not replace', async () => {
    const s = await startServer({ closeConnection: true });
    servers.push(s);
    // Ignores its signal, as `dns.resolve4` does: the abandoned call answers anyway.
    const dns = heldResolver(false);
    const p = pool({ resolver: dns.resolver });
    const connected: string[] = [];
    p.onConnect((e) => connected.push(e.address));
    const url = `http://api.test:${s.port}/`;
    const controller = new AbortController();
    const gone = p.request(url, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => dns.calls.length === 1);
    controller.abort(new Error('gave up'));
    await gone;

    const fresh = p.request(url).then((res) => res.body.text());
    // Before: the request joined the abandoned query and the resolver was asked once only.
    await until(() => dns.calls.length === 2);
    dns.calls[1]!.answer([{ address: '127.0.0.1', ttl: 60 }]);
    expect(await fresh).toBe('ok');
    // The abandoned call answers last, with an address where nothing listens.
    dns.calls[0]!.answer([{ address: '127.0.0.9', ttl: 600 }]);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const res = await p.request(url);
    expect(await res.body.text()).toBe('ok');
    expect(connected).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(dns.calls).toHaveLength(2);
    expect(p.stats().dns).toMatchObject({ entries: 1, hits: 1, misses: 2, queries: 2 });
  });

  it("cancels a c-ares query (the README's resolver), not the other names' queries", async () => {
    // A DNS server on loopback that never answers: every query waits for its c-ares timeout.
    const silent = dgram.createSocket('udp4');
    let received = 0;
    silent.on('message', () => received++);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const outcomes = new Map<string, unknown>();
    const resolver: Resolver = async (host, { signal }) => {
      const channel = new dnsPromises.Resolver({ timeout: 5_000, tries: 1 });
      channel.setServers([`127.0.0.1:${silent.address().port}`]);
      const cancel = () => channel.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        return await channel.resolve4(host, { ttl: true });
      } catch (error) {
        outcomes.set(host, (error as NodeJS.ErrnoException).code);
        throw error;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    };
    try {
      const p = pool({ resolver, connectTimeoutMs: 5_000 });
      const controller = new AbortController();
      const gone = p.request('http://gone.test:1/', { signal: controller.signal });
      const other = p.request('http://other.test:1/').catch((e: unknown) => e);
      await until(() => received >= 2);
      controller.abort(new Error('gave up'));
      await expect(gone).rejects.toThrow('gave up');
      await until(() => outcomes.has('gone.test'));
      expect(outcomes.get('gone.test')).toBe('ECANCELLED');
      expect(outcomes.has('other.test')).toBe(false);
      await p.destroy();
      await other;
      await until(() => outcomes.has('other.test'));
    } finally {
      silent.close();
    }
  });
});
