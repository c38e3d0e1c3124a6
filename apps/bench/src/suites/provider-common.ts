import type { MicroCase, MicroGroup } from '../micro';
import type { Profile } from '../profiles';
import type { Target } from '../results';
import { median } from '../stats';
import { asPrinted } from '../terminal/table';

type Call = () => Promise<unknown>;

/** The content of a stream whose chunks are iterated as they arrive, as a chat UI reads one. */
export async function joined(chunks: AsyncIterable<{ content: string }>): Promise<string> {
  let content = '';
  for await (const chunk of chunks) content += chunk.content;
  return content;
}

export interface ClientComparison {
  /** `@x/provider-ollama` */
  ours: { library: string; name: string; call: Call };
  /** The raw undici request doing the same work (same body, the answer read the same way): the floor. */
  raw: { name: string; call: Call };
  /** The official client users would pick instead, reading the answer the same way. */
  peer: { library: string; name: string; call: Call };
  /** Ratio targets at a concurrency. */
  targets: (c: number) => Target[];
  /** The bound on the p50 overhead over raw undici at c=1, µs; none: the overhead is not timed. */
  maxP50OverheadUs?: number;
  /**
   * `${setup}, c=${c}` names each group: what is sent, to which server, and how the answer is
   * read, so that the streamed and the whole-answer comparisons never read as one claim.
   */
  setup: string;
  description: (c: number) => string;
}

/**
 * p50 of `ours` minus p50 of `raw`, each request timed on its own, in pairs whose order
 * alternates (ours first, then raw first), so a busy machine and whatever the previous request
 * left behind (a warm connection, a pending GC) weigh on both alike. µs.
 */
export async function p50Overhead(ours: Call, raw: Call, pairs: number): Promise<number> {
  const oursMs: number[] = [];
  const rawMs: number[] = [];
  const timed = async (fn: Call, into: number[]) => {
    const t = performance.now();
    await fn();
    into.push(performance.now() - t);
  };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      await timed(ours, oursMs);
      await timed(raw, rawMs);
    } else {
      await timed(raw, rawMs);
      await timed(ours, oursMs);
    }
  }
  return (median(oursMs) - median(rawMs)) * 1000;
}

/**
 * Pairs timed for the p50 overhead (a pair costs about a millisecond, so --quick affords 1,000),
 * and calls of each client before them. The provider's path runs a few dozen functions that V8
 * optimises over the first few thousand calls (and its calibrator learns the model over the first
 * hundreds): timed in rounds of 1,000 pairs after 100 warm-up calls, its p50 overhead read
 * 92-112, 48-55, 30-37, then 20-30 µs from the fourth round on. The target is the overhead a
 * long-running process pays, so the pairs start once it has settled.
 */
export function overheadPairs(profile: Profile): number {
  return profile.name === 'full' ? 4000 : profile.name === 'quick' ? 1000 : 40;
}

/**
 * `rounds` calls of every client, taken in turn and in an order that rotates each round, so that
 * each has as many calls behind it (its connections open, its code optimised) before anything is
 * timed, and none always runs right after another.
 */
export async function warmUp(calls: readonly Call[], rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < calls.length; j++) await calls[(i + j) % calls.length]!();
  }
}

/**
 * How a p50 overhead is printed. The provider's call is the raw request plus work, so it cannot
 * take less time than the raw request: a negative difference of medians says only that the
 * overhead is smaller than the measurement can tell apart, and is printed as that, with the
 * measured value, never as a provider faster than raw undici.
 */
export function overheadValue(us: number): string {
  const printed = asPrinted(us, 1);
  // toFixed gives `-0.0` for a value in (-0.05, 0): it printed as zero
  return printed < 0
    ? `within noise (${printed.toFixed(1)} µs)`
    : `${Math.abs(printed).toFixed(1)} µs`;
}

/**
 * One group per concurrency (1 and 16): ours, raw undici and the official client in closed
 * loops, interleaved. The same shape for every provider, so their figures read alike.
 */
export async function clientGroups(cmp: ClientComparison, profile: Profile): Promise<MicroGroup[]> {
  // Warm-up: connections open and the JIT settled before the first timed pair, for the official
  // client as much as for ours and the raw request (its path settles over thousands of calls too).
  const warmup = overheadPairs(profile);
  await warmUp([cmp.ours.call, cmp.raw.call, cmp.peer.call], warmup);
  const pairs = overheadPairs(profile);
  const bound = cmp.maxP50OverheadUs;
  const overhead =
    bound === undefined ? undefined : await p50Overhead(cmp.ours.call, cmp.raw.call, pairs);
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
      targets: cmp.targets(c),
      cases,
      // One overhead per setup: the p50 of the timed pairs, the figure the target is stated in.
      // The difference of the c=1 rows' time/op is not printed as a second one: each row's time/op
      // moves from sample to sample by tens of µs (its spread), far more than the overhead, and in
      // the run of 2026-12-05 it read -5.2 µs where the p50 read 2.7 µs.
      ...(c === 1
        ? {
            checks: () =>
              bound === undefined || overhead === undefined
                ? []
                : [
                    {
                      what: `${cmp.ours.library} p50 overhead over raw undici (${pairs} alternating pairs, after ${warmup} warm-up calls of each client)`,
                      value: overheadValue(overhead),
                      target: `< ${bound} µs`,
                      met: asPrinted(overhead, 1) < bound,
                    },
                  ],
          }
        : {}),
    };
  });
}
