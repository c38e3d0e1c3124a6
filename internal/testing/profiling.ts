/**
 * The measuring loop of the packages' profile drivers (`packages/<name>/profile/*.ts`): subjects
 * run in one process, in rotated order, over many short rounds, so that the median of the
 * per-round figures holds on a shared, noisy machine where one long sample does not. Profiling
 * tools, not the published figures (those come from `apps/bench`).
 */
import { createRequire } from 'node:module';

/**
 * Loads a peer library a profile compares with (cockatiel, opossum, limiter,
 * rate-limiter-flexible): apps/bench depends on them, the packages do not.
 */
export const requirePeer: NodeJS.Require = createRequire(
  new URL('../../apps/bench/package.json', import.meta.url),
);

/** `--name=value` from the command line, or `fallback`. */
export function cliArg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** The middle value (the upper one of an even count). */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** A subject: a call, awaited when `async`. */
export interface ProfileSubject {
  fn: () => unknown;
  async: boolean;
}

/** Per subject, nanoseconds per call of every round: wall clock and process CPU time. */
export interface RoundFigures {
  wall: number[];
  cpu: number[];
}

async function round(
  subject: ProfileSubject,
  calls: number,
): Promise<{ wall: number; cpu: number }> {
  const { fn } = subject;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (subject.async) for (let i = 0; i < calls; i++) await fn();
  else for (let i = 0; i < calls; i++) fn();
  const wall = ((performance.now() - t0) * 1e6) / calls;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: ((used.user + used.system) * 1e3) / calls };
}

/**
 * Runs every subject once to warm it up, then `rounds` rounds of `calls` calls each, the order
 * rotated by one subject per round.
 */
export async function rotatedRounds(
  subjects: Readonly<Record<string, ProfileSubject>>,
  rounds: number,
  calls: number,
): Promise<Map<string, RoundFigures>> {
  const names = Object.keys(subjects);
  const figures = new Map(names.map((n) => [n, { wall: [] as number[], cpu: [] as number[] }]));
  for (const n of names) await round(subjects[n]!, calls);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length]!;
      const m = await round(subjects[n]!, calls);
      figures.get(n)!.wall.push(m.wall);
      figures.get(n)!.cpu.push(m.cpu);
    }
  }
  return figures;
}

/** Drops every subject not named in `only` (a comma-separated list; empty keeps them all). */
export function keepOnly(subjects: Record<string, unknown>, only: string): void {
  if (only === '') return;
  const keep = new Set(only.split(','));
  for (const name of Object.keys(subjects)) if (!keep.has(name)) delete subjects[name];
}
