/** Floats in [0, 1), drawn from a seed. */
export type Random = () => number;

/**
 * A seeded pseudo-random generator (mulberry32): the same draws for the same seed on every run
 * and platform. For simulations, tests and benchmarks that must repeat; never for secrets.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
