import { describe, expect, it } from 'vitest';
import { profiles } from '../profiles';
import type { MicroRow } from '../results';
import { type ClientComparison, clientGroups, overheadValue, warmUp } from './provider-common';

describe('warmUp', () => {
  it('calls every client as many times, in an order that rotates, when warming', async () => {
    const order: string[] = [];
    const call = (name: string) => async () => {
      order.push(name);
    };
    await warmUp([call('ours'), call('raw'), call('peer')], 4);
    expect(order.filter((n) => n === 'ours')).toHaveLength(4);
    expect(order.filter((n) => n === 'raw')).toHaveLength(4);
    expect(order.filter((n) => n === 'peer')).toHaveLength(4);
    expect(order.slice(0, 6)).toEqual(['ours', 'raw', 'peer', 'raw', 'peer', 'ours']);
  });
});

describe('overheadValue', () => {
  it('prints a measured overhead of zero or more as the number of µs', () => {
    expect(overheadValue(2.71)).toBe('2.7 µs');
    expect(overheadValue(0)).toBe('0.0 µs');
    // prints as -0.0: read as zero, not as a negative overhead
    expect(overheadValue(-0.04)).toBe('0.0 µs');
  });

  it('prints a negative overhead as within noise, with the measured value', () => {
    expect(overheadValue(-1.26)).toBe('within noise (-1.3 µs)');
  });
});

describe('clientGroups', () => {
  const call = async () => 'answer';
  const comparison = (bound?: number): ClientComparison => ({
    ours: { library: '@x/p', name: 'ours', call },
    raw: { name: 'raw', call },
    peer: { library: 'peer', name: 'peer', call },
    targets: () => [],
    ...(bound === undefined ? {} : { maxP50OverheadUs: bound }),
    setup: 'setup',
    description: (c) => `c=${c}`,
  });
  const row = (library: string, role: MicroRow['role'], nsPerOp: number): MicroRow => ({
    name: library,
    library,
    role,
    concurrency: 1,
    opsPerSec: 1e9 / nsPerOp,
    samples: [1e9 / nsPerOp],
    spreadPct: 0,
    nsPerOp,
    ratios: [],
  });
  // ours 5 µs faster than raw in the loop: once printed as a second, negative overhead
  const rows = [row('@x/p', 'ours', 255_000), row('raw undici', 'peer', 260_000)];

  it('gives one overhead per setup, the p50 check, and no overhead fact beside it', async () => {
    const [c1, c16] = await clientGroups(comparison(30), profiles.smoke);
    expect(c1!.name).toBe('setup, c=1');
    expect(c1!.facts?.(rows) ?? {}).toEqual({});
    const checks = c1!.checks!(rows);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.what).toMatch(/^@x\/p p50 overhead over raw undici \(40 alternating pairs/);
    expect(checks[0]!.value).toMatch(/µs/);
    expect(checks[0]!.target).toBe('< 30 µs');
    expect(c16!.name).toBe('setup, c=16');
    expect(c16!.facts).toBeUndefined();
    expect(c16!.checks).toBeUndefined();
  });

  it('prints no overhead at all for a setup without a p50 bound', async () => {
    const [c1] = await clientGroups(comparison(), profiles.smoke);
    expect(c1!.facts?.(rows) ?? {}).toEqual({});
    expect(c1!.checks!(rows)).toEqual([]);
  });
});
