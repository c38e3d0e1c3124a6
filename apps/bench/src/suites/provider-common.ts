import type { MicroCase, MicroGroup } from '../micro';
import type { Profile } from '../profiles';
import type { MicroRow, Target } from '../results';
import { median } from '../stats';

type Call = () => Promise<unknown>;

export interface ClientComparison {
  /** `@x/provider-ollama` */
  ours: { library: string; name: string; call: Call };
  /** The raw undici request doing the same work (same body, JSON parsed): the floor. */
  raw: { name: string; call: Call };
  /** The official client users would pick instead. */
  peer: { library: string; name: string; call: Call };
  /** Ratio targets, the same at every concurrency. */
  targets: Target[];
  /** The bound on the p50 overhead over raw undici at c=1, µs. */
  maxP50OverheadUs: number;
  /** `chat, c=${c}` is prefixed by this: what is sent and to which server. */
  setup: string;
  description: (c: number) => string;
}

/**
 * p50 of `ours` minus p50 of `raw`, each request timed on its own, in sequential pairs
 * (ours, raw) so a busy machine slows both alike. µs.
 */
export async function p50Overhead(ours: Call, raw: Call, pairs: number): Promise<number> {
  const oursMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let t = performance.now();
    await ours();
    oursMs.push(performance.now() - t);
    t = performance.now();
    await raw();
    rawMs.push(performance.now() - t);
  }
  return (median(oursMs) - median(rawMs)) * 1000;
}

export function overheadPairs(profile: Profile): number {
  return profile.name === 'full' ? 2000 : profile.name === 'quick' ? 300 : 40;
}

/**
 * One group per concurrency (1 and 16): ours, raw undici and the official client in closed
 * loops, interleaved. The same shape for every provider, so their figures read alike.
 */
export async function clientGroups(cmp: ClientComparison, profile: Profile): Promise<MicroGroup[]> {
  for (const f of [cmp.ours.call, cmp.raw.call, cmp.peer.call]) await f();
  const pairs = overheadPairs(profile);
  const overhead = await p50Overhead(cmp.ours.call, cmp.raw.call, pairs);
  const levels = profile.concurrencyLevels.filter((c) => c <= 16);
  return levels.map((c) => {
    const cases: MicroCase[] = [
      { ...cmp.ours, role: 'ours', async: true, concurrency: c, fn: cmp.ours.call },
      {
        name: cmp.raw.name,
        library: 'raw undici',
        role: 'peer',
        async: true,
        concurrency: c,
        fn: cmp.raw.call,
      },
      { ...cmp.peer, role: 'peer', async: true, concurrency: c, fn: cmp.peer.call },
    ];
    return {
      name: `${cmp.setup}, c=${c}`,
      description: cmp.description(c),
      targets: cmp.targets,
      cases,
      ...(c === 1
        ? {
            facts: (rows: MicroRow[]): Record<string, string> => {
              const ours = rows.find((r) => r.role === 'ours');
              const raw = rows.find((r) => r.library === 'raw undici');
              if (!ours || !raw || !Number.isFinite(ours.nsPerOp)) return {};
              return {
                'pipeline overhead per request (mean of the c=1 loop)': `${((ours.nsPerOp - raw.nsPerOp) / 1000).toFixed(1)} µs`,
              };
            },
            checks: () => [
              {
                what: `${cmp.ours.library} p50 overhead over raw undici (${pairs} sequential pairs)`,
                value: `${overhead.toFixed(1)} µs`,
                target: `< ${cmp.maxP50OverheadUs} µs`,
                met: overhead < cmp.maxP50OverheadUs,
              },
            ],
          }
        : {}),
    };
  });
}
