import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Address, freshForMs, orderAddresses } from './dns-cache';

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
