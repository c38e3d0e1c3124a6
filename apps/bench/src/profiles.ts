/** How long and how hard each part runs. `--quick` must finish in under two minutes on 2 cores. */
export interface Profile {
  name: 'full' | 'quick' | 'smoke';
  /** Samples (rounds) per micro-benchmark case; the published figure is their median. */
  samples: number;
  /** tinybench time budget per case per sample, ms. */
  sampleMs: number;
  /** Warm-up before the first sample of each case, ms. */
  warmupMs: number;
  /** Scales request counts and durations of the load scenarios. */
  loadScale: number;
  /** Concurrency levels for the closed-loop throughput comparisons (pool, provider). */
  concurrencyLevels: number[];
  /** Concurrency levels the stress ramp steps through. */
  stressLevels: number[];
}

export const profiles: Record<Profile['name'], Profile> = {
  full: {
    name: 'full',
    // Nine short samples rather than five long ones: a pause of the host that lasts a second or
    // two then lands in a minority of a case's samples, and the median ignores it.
    samples: 9,
    sampleMs: 300,
    warmupMs: 200,
    loadScale: 1,
    concurrencyLevels: [1, 16, 64],
    stressLevels: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  },
  quick: {
    name: 'quick',
    samples: 3,
    sampleMs: 60,
    warmupMs: 20,
    loadScale: 0.15,
    // the same comparisons as the full profile, with fewer and shorter samples
    concurrencyLevels: [1, 16, 64],
    stressLevels: [1, 16, 128],
  },
  smoke: {
    name: 'smoke',
    samples: 2,
    sampleMs: 25,
    warmupMs: 10,
    loadScale: 0.05,
    concurrencyLevels: [1, 16],
    stressLevels: [1, 8, 32],
  },
};

/** Scales a count or duration by the profile, never below `min`. */
export function scaled(profile: Profile, value: number, min = 1): number {
  return Math.max(min, Math.round(value * profile.loadScale));
}
