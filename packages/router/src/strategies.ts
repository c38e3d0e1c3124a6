import { fail } from '@x/internal';
import type { Deployment, Operation } from './deployment';
import type { StrategyName } from './options';

/** Orders deployments of one group and priority: the first is tried first. */
export type Rank = (deployments: readonly Deployment[], op: Operation) => Deployment[];

export interface StrategyContext {
  random: () => number;
  smoothing: number;
  exploration: number;
}

/**
 * One draw of the `random` option, checked: a value outside [0, 1) (one scaled to [0, 100), NaN,
 * 1) would skew every draw silently, so the call fails with a `RangeError` (a `TypeError` for a
 * value that is no number) naming it instead.
 */
function checkedDraw(random: () => number): number {
  const u: unknown = random();
  if (typeof u !== 'number' || !(u >= 0 && u < 1)) {
    fail('random()', 'a number in [0, 1)', u, typeof u === 'number');
  }
  return u;
}

/**
 * A weighted draw without replacement (Efraimidis and Spirakis): each deployment gets the key
 * `u^(1/weight)` for a uniform `u`, and the largest key comes first. The first place goes to each
 * deployment with probability weight / total weight, and so on down the list. The keys are
 * compared as their logarithms, `ln(u) / weight` (the same order): `u^(1/weight)` underflows to 0
 * for a small weight (0.001 and less), and keys tied at 0 split the traffic unevenly. Weights are
 * taken relative to the largest one, so equal weights, however small, draw exactly as weights of 1,
 * and only a weight some 1e300 times smaller than another's can overflow its key to -Infinity.
 */
function drawKeys(
  deployments: readonly Deployment[],
  random: () => number,
): Map<Deployment, number> {
  let largest = 0;
  for (const d of deployments) largest = Math.max(largest, d.weight);
  const keys = new Map<Deployment, number>();
  for (const d of deployments) keys.set(d, Math.log(checkedDraw(random)) / (d.weight / largest));
  return keys;
}

/** Larger key first; keys both -Infinity (u = 0) tie instead of comparing as NaN. */
function byKey(a: number, b: number): number {
  return a === b ? 0 : b - a;
}

/** Sorts by `score` ascending, ties broken by a weighted draw. */
function byScore(
  deployments: readonly Deployment[],
  random: () => number,
  score: (d: Deployment) => number,
): Deployment[] {
  const keys = drawKeys(deployments, random);
  const scores = new Map(deployments.map((d) => [d, score(d)]));
  return [...deployments].sort(
    (a, b) => scores.get(a)! - scores.get(b)! || byKey(keys.get(a)!, keys.get(b)!),
  );
}

function weightedRandom(ctx: StrategyContext): Rank {
  return (deployments) => {
    if (deployments.length < 2) return [...deployments];
    return byScore(deployments, ctx.random, () => 0);
  };
}

function leastInFlight(ctx: StrategyContext): Rank {
  return (deployments) => byScore(deployments, ctx.random, (d) => d.inFlight);
}

/**
 * The fastest moving average first, a deployment never tried before any other (so a new or
 * recovered one is measured at once), one whose calls failed behind those that answer until its
 * penalty fades (see `LatencyScore`); with probability `exploration`, a plain weighted draw, so
 * a deployment that was slow gets measured again.
 */
function lowestLatency(ctx: StrategyContext): Rank {
  return (deployments, op) => {
    if (deployments.length < 2) return [...deployments];
    if (ctx.exploration > 0 && checkedDraw(ctx.random) < ctx.exploration) {
      return byScore(deployments, ctx.random, () => 0);
    }
    const now = performance.now();
    return byScore(deployments, ctx.random, (d) => d.latency[op].score(now));
  };
}

/** The largest share of quota left first (see `QuotaGauge`). */
function mostQuotaLeft(ctx: StrategyContext): Rank {
  return (deployments) => {
    if (deployments.length < 2) return [...deployments];
    const now = performance.now();
    const wall = Date.now();
    return byScore(deployments, ctx.random, (d) => -d.quota.read(d.provider, now, wall));
  };
}

export function createRank(name: StrategyName, ctx: StrategyContext): Rank {
  switch (name) {
    case 'least-in-flight':
      return leastInFlight(ctx);
    case 'lowest-latency':
      return lowestLatency(ctx);
    case 'most-quota-left':
      return mostQuotaLeft(ctx);
    default:
      return weightedRandom(ctx);
  }
}
