import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type Address, DnsCache, freshForMs, orderAddresses } from './dns-cache';

const addressList = fc
  .uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 8 })
  .map((ips): Address[] => ips.map((address) => ({ address, family: 4 })));

describe('orderAddresses', () => {
  it('returns every address exactly once, refused ones last, for any cursor', () => {
    fc.assert(
      fc.property(
        addressList,
        fc.nat(1_000),
        fc.array(fc.nat(7)),
        (addresses, cursor, failedIdx) => {
          const failed = new Set(
            failedIdx.filter((i) => i < addresses.length).map((i) => addresses[i]!.address),
          );
          const ordered = orderAddresses(addresses, cursor, failed);
          expect(ordered.map((a) => a.address).sort()).toEqual(
            addresses.map((a) => a.address).sort(),
          );
          const firstFailed = ordered.findIndex((a) => failed.has(a.address));
          if (firstFailed !== -1) {
            expect(ordered.slice(firstFailed).every((a) => failed.has(a.address))).toBe(true);
          }
        },
      ),
    );
  });

  it('puts each address first exactly once over n consecutive cursors', () => {
    fc.assert(
      fc.property(addressList, fc.nat(1_000), (addresses, start) => {
        const firsts = addresses.map(
          (_, i) => orderAddresses(addresses, start + i, new Set())[0]!.address,
        );
        expect(new Set(firsts).size).toBe(addresses.length);
      }),
    );
  });
});

describe('freshForMs', () => {
  it('is the smallest record TTL in ms, capped by the configured TTL', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.nat(100_000), { nil: undefined })),
        fc.nat(10_000_000),
        (ttls, cap) => {
          const records = ttls.map((ttl) => ({ address: '127.0.0.1', ttl }));
          const known = ttls.filter((t): t is number => t !== undefined).map((t) => t * 1000);
          expect(freshForMs(records, cap)).toBe(Math.min(cap, ...known));
        },
      ),
    );
  });
});

describe('DnsCache.lookup', () => {
  const options = {
    ttlMs: 1_000,
    negativeTtlMs: 1_000,
    maxStaleMs: 0,
    queryTimeoutMs: 1_000,
  };

  it('starts no query for a signal that is aborted already', async () => {
    const resolver = vi.fn(() => new Promise<never>(() => {}));
    const cache = new DnsCache({ ...options, resolver }, () => {});
    const reason = new Error('gone');
    await expect(cache.lookup('api.test', AbortSignal.abort(reason))).rejects.toBe(reason);
    // Before: a query with no waiter was started, and ran on with its timer.
    expect(resolver).not.toHaveBeenCalled();
    expect(cache.counters.queries).toBe(0);
  });

  it('cancels the query when its last waiter leaves, and starts a new one after', async () => {
    const signals: AbortSignal[] = [];
    const resolver = vi.fn((_host: string, { signal }: { signal: AbortSignal }) => {
      signals.push(signal);
      return new Promise<never>(() => {});
    });
    const cache = new DnsCache({ ...options, resolver }, () => {});
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.lookup('api.test', a.signal).catch((e: unknown) => e);
    const second = cache.lookup('api.test', b.signal).catch((e: unknown) => e);
    a.abort(new Error('a'));
    expect(await first).toMatchObject({ message: 'a' });
    expect(signals[0]?.aborted).toBe(false);
    b.abort(new Error('b'));
    expect(await second).toMatchObject({ message: 'b' });
    expect(signals[0]?.aborted).toBe(true);
    cache.lookup('api.test', new AbortController().signal).catch(() => {});
    expect(resolver).toHaveBeenCalledTimes(2);
    cache.clear();
  });
});
