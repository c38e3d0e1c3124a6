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
 * A weighted draw without replacement (Efraimidis and Spirakis): each deployment gets the key
 * `u^(1/weight)` for a uniform `u`, and the largest key comes first. The first place goes to each
 * deployment with probability weight / total weight, and so on down the list.
 */
function drawKeys(
  deployments: readonly Deployment[],
  random: () => number,
): Map<Deployment, number> {
  const keys = new Map<Deployment, number>();
  for (const d of deployments) keys.set(d, random() ** (1 / d.weight));
  return keys;
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
    (a, b) => scores.get(a)! - scores.get(b)! || keys.get(b)! - keys.get(a)!,
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
    if (ctx.exploration > 0 && ctx.random() < ctx.exploration) {
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
