import { Bench } from 'tinybench';
import type { Profile } from './profiles';
import type { Check, GroupResult, MicroRow, Role, Target } from './results';
import { median, spreadPercent } from './stats';
import type { Progress } from './terminal/progress';

/** One thing measured: a call of `fn`, of the library named in `library`. */
export interface MicroCase {
  name: string;
  library: string;
  role: Role;
  /** The operation. Sync cases are batched so timer overhead does not dominate nanosecond calls. */
  fn: () => unknown;
  /** `fn` returns a promise to await. */
  async?: boolean;
  /**
   * Closed-loop concurrency: that many callers loop on `fn` for the sample time and the figure is
   * completions per second. 1 (default) runs through tinybench.
   */
  concurrency?: number;
  /** Runs once before the case's first sample (connections, warm caches). */
  setup?: () => unknown;
  note?: string;
}

export interface MicroGroup {
  name: string;
  description: string;
  cases: MicroCase[];
  /** Ratios the package's issue asks for: ours / peer >= min. */
  targets?: Target[];
  /** Facts to compute after the run from the rows (overhead against a baseline...). */
  facts?: (rows: MicroRow[]) => Record<string, number | string>;
  /** Targets that are not ratios (a size, an overhead), checked from the rows after the run. */
  checks?: (rows: MicroRow[]) => Check[];
}

interface CaseState {
  c: MicroCase;
  samples: number[];
  batch: number;
  error?: string;
}

/**
 * How long a case runs before its batch is sized. Sized on cold code (the first call compiles it
 * and fills its caches: tens of µs), nearly every batch came out as one call, and tinybench's own
 * cost per iteration (its clock reads, and for an async case its awaited wrapper: ~40 ns sync,
 * 130-300 ns async on the 2-core bench VM) was then added to every call measured. The same amount
 * on both sides pulls every ratio towards 1, against the faster side, and the bare baselines
 * (cheap even cold, so batched) were measured unlike the cases compared with them.
 */
const WARM_BEFORE_SIZING_MS = 20;

/**
 * Where sync results go. A result left unused lets the compiler drop whatever computed it without
 * a side effect (a pure Map lookup, a quick-lru hit): a case would then be timed without its work.
 * Every call's result is compared with an object no case returns, so each one is computed; the
 * comparison costs every case alike.
 */
const NEVER_RETURNED = Symbol('never returned');
const sink = { matches: 0 };

/** Runs `fn` `n` times, consuming every result. */
export function runConsumed(fn: () => unknown, n: number): void {
  let seen = 0;
  for (let k = 0; k < n; k++) if (fn() === NEVER_RETURNED) seen++;
  sink.matches += seen;
}

function warmSync(fn: () => unknown): void {
  const end = performance.now() + WARM_BEFORE_SIZING_MS;
  do runConsumed(fn, 1);
  while (performance.now() < end);
}

async function warmAsync(fn: () => unknown): Promise<void> {
  const end = performance.now() + WARM_BEFORE_SIZING_MS;
  do await fn();
  while (performance.now() < end);
}

/**
 * How many sync calls make one tinybench iteration last ~20 µs. Each size is timed three times and
 * the fastest counts: one pause of the machine (a GC, another process) must not stop the doubling.
 */
export function calibrateBatch(fn: () => unknown): number {
  warmSync(fn);
  const time = (n: number): number => {
    const t0 = performance.now();
    runConsumed(fn, n);
    return performance.now() - t0;
  };
  let n = 1;
  for (let i = 0; i < 24; i++) {
    if (Math.min(time(n), time(n), time(n)) >= 0.02) break;
    n *= 2;
  }
  return n;
}

/** How many awaited calls make one tinybench iteration last ~50 µs. */
export async function calibrateAsyncBatch(fn: () => unknown): Promise<number> {
  await warmAsync(fn);
  const time = async (n: number): Promise<number> => {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) await fn();
    return performance.now() - t0;
  };
  let n = 1;
  for (let i = 0; i < 16; i++) {
    if (Math.min(await time(n), await time(n), await time(n)) >= 0.05) break;
    n *= 2;
  }
  return n;
}

/** One tinybench sample of a sequential case: ops/s from the mean period. */
async function tinybenchSample(
  state: CaseState,
  timeMs: number,
  warmupMs: number,
): Promise<number> {
  const { c, batch } = state;
  const fn = c.fn;
  const bench = new Bench({
    time: timeMs,
    iterations: 8,
    warmup: warmupMs > 0,
    warmupTime: warmupMs,
    warmupIterations: 4,
    throws: true,
  });
  if (c.async) {
    bench.add(c.name, async () => {
      for (let k = 0; k < batch; k++) await fn();
    });
  } else {
    bench.add(c.name, () => runConsumed(fn, batch));
  }
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state === 'errored') throw result.error;
  if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') {
    throw new Error(`tinybench task ended as ${result.state}`);
  }
  return (batch * 1000) / result.period;
}

/** One closed-loop sample: `concurrency` callers loop for `timeMs`; completions per second. */
export async function closedLoopSample(
  fn: () => unknown,
  concurrency: number,
  timeMs: number,
): Promise<{ opsPerSec: number; completed: number; errors: number; firstError?: unknown }> {
  const deadline = performance.now() + timeMs;
  let completed = 0;
  let errors = 0;
  let firstError: unknown;
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await fn();
        completed++;
      } catch (e) {
        errors++;
        firstError ??= e;
        if (errors > 50 && errors > completed) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  return { opsPerSec: completed / elapsed, completed, errors, firstError };
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 200);
  return String(e).slice(0, 200);
}

/**
 * Runs every case of a group for `profile.samples` rounds. Cases are interleaved (A B C, then
 * B C A, ...) so drift on a busy machine spreads over all of them instead of favouring one.
 */
export async function runGroup(
  group: MicroGroup,
  profile: Profile,
  progress?: Progress,
): Promise<GroupResult> {
  const states: CaseState[] = group.cases.map((c) => ({ c, samples: [], batch: 1 }));
  for (const s of states) {
    try {
      await s.c.setup?.();
      if ((s.c.concurrency ?? 1) === 1) {
        s.batch = s.c.async ? await calibrateAsyncBatch(s.c.fn) : calibrateBatch(s.c.fn);
      } else {
        await closedLoopSample(s.c.fn, s.c.concurrency!, Math.min(profile.warmupMs, 100));
      }
    } catch (e) {
      s.error = describeError(e);
    }
  }
  for (let round = 0; round < profile.samples; round++) {
    for (let i = 0; i < states.length; i++) {
      const s = states[(i + round) % states.length]!;
      if (s.error) {
        progress?.tick(`${group.name}: ${s.c.name} (failed)`);
        continue;
      }
      try {
        const concurrency = s.c.concurrency ?? 1;
        let ops: number;
        if (concurrency === 1) {
          ops = await tinybenchSample(s, profile.sampleMs, round === 0 ? profile.warmupMs : 0);
        } else {
          const r = await closedLoopSample(s.c.fn, concurrency, profile.sampleMs);
          if (r.errors > 0 && r.completed === 0) throw r.firstError;
          ops = r.opsPerSec;
        }
        s.samples.push(ops);
      } catch (e) {
        s.error = describeError(e);
      }
      progress?.tick(`${group.name}: ${s.c.name}`);
    }
  }
  const rows: MicroRow[] = states.map((s) => {
    const ops = s.samples.length > 0 ? median(s.samples) : Number.NaN;
    return {
      name: s.c.name,
      library: s.c.library,
      role: s.c.role,
      concurrency: s.c.concurrency ?? 1,
      opsPerSec: ops,
      samples: s.samples.map((x) => Math.round(x * 100) / 100),
      spreadPct: Math.round(spreadPercent(s.samples) * 10) / 10,
      nsPerOp: Number.isFinite(ops) && ops > 0 ? 1e9 / ops : Number.NaN,
      ratios: [],
      ...(s.error ? { error: s.error } : {}),
      ...(s.c.note ? { note: s.c.note } : {}),
    };
  });
  addRatios(rows, group.targets);
  return {
    name: group.name,
    description: group.description,
    rows,
    facts: group.facts?.(rows) ?? {},
    ...(group.checks ? { checks: group.checks(rows) } : {}),
  };
}

/**
 * Fills each `ours` row's ratios against every peer at its concurrency. A target is met or missed
 * by the ratio the report stores and prints (three decimals), never a more precise one.
 */
export function addRatios(rows: MicroRow[], targets: readonly Target[] | undefined): void {
  for (const row of rows) {
    if (row.role !== 'ours' || !Number.isFinite(row.opsPerSec)) continue;
    for (const peer of rows) {
      if (peer.role !== 'peer' || peer.concurrency !== row.concurrency) continue;
      if (!Number.isFinite(peer.opsPerSec) || peer.opsPerSec <= 0) continue;
      const ratio = Math.round((row.opsPerSec / peer.opsPerSec) * 1000) / 1000;
      const target = targets?.find((t) => t.vs === peer.library)?.min;
      row.ratios.push({
        vs: peer.library,
        ratio,
        ...(target !== undefined ? { target, met: ratio >= target } : {}),
      });
    }
  }
}

/** Number of progress ticks `runGroup` makes for a group. */
export function groupTicks(group: MicroGroup, profile: Profile): number {
  return group.cases.length * profile.samples;
}
