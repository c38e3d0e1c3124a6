import type { Environment } from './env';
import type { Summary } from './stats';

/** What a row is to the comparison: the @x package, the library users pick instead, or a floor. */
export type Role = 'ours' | 'peer' | 'baseline';

export interface MicroRow {
  /** Display name, e.g. `@x/breaker execute (closed)`. */
  name: string;
  /** The library measured, e.g. `opossum`; ratios are labelled with it. */
  library: string;
  role: Role;
  /** Closed-loop concurrency (1 = sequential, measured with tinybench). */
  concurrency: number;
  /** Median of the samples, operations per second. */
  opsPerSec: number;
  /** ops/s of every sample, in run order. */
  samples: number[];
  /** Half the sample range divided by the median, in percent. */
  spreadPct: number;
  /** 1e9 / opsPerSec: the cost of one operation (per client at concurrency 1). */
  nsPerOp: number;
  /** For `ours` rows: ours / peer ops/s (above 1 = ours is faster), one per peer of the group. */
  ratios: Ratio[];
  /** Why the row has no figure (the case threw, the peer needs a server that is missing...). */
  error?: string;
  note?: string;
}

export interface Ratio {
  vs: string;
  ratio: number;
  /** The target from the package's issue, when there is one (ours / peer >= min). */
  target?: number;
  met?: boolean;
  /**
   * Why `met` is no verdict (`±383%`: the spread of its rows; `load 18 on 2 cores`): the report
   * prints `? noisy (...)` instead of ✓/✗ (`noise.ts`). Absent on a quiet run.
   */
  inconclusive?: string | undefined;
}

export interface Target {
  /** library of the peer row */
  vs: string;
  /** minimum ours / peer ratio */
  min: number;
}

/**
 * A target that is not a ratio of ops/s (an install size, a p50 overhead, bytes per key): the
 * measured value, the bound, and whether it is met. Printed ✓/✗ like the ratio targets.
 */
export interface Check {
  /** What is measured, e.g. `@x/provider-ollama install size`. */
  what: string;
  /** The measured value in display units, e.g. `3.9 MB`. */
  value: string;
  /** The bound in display units, e.g. `≤ 5 MB`. */
  target: string;
  met: boolean;
}

export interface GroupResult {
  /** The setup, named so that two different measurements never read as one claim. */
  name: string;
  description: string;
  rows: MicroRow[];
  /** Extra measured facts of the group (overhead per call in ns, compression ratio...). */
  facts: Record<string, number | string>;
  /** Targets that are not ratios, checked after the run. */
  checks?: Check[];
}

export interface SuiteResult {
  name: string;
  title: string;
  kind: 'micro';
  groups: GroupResult[];
  notes: string[];
  /** Set when the suite could not run at all (its package is not built...). */
  skipped?: string;
  durationMs: number;
}

export interface ChartRef {
  /** File name inside the output folder, e.g. `latency-distribution.svg`. */
  file: string;
  title: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  kind: 'load';
  description: string;
  /** The parameters it ran with (concurrency, requests, fault mix...). */
  params: Record<string, unknown>;
  /** Headline figures, already in display units (ms, req/s, %). */
  metrics: Record<string, number | string>;
  /** Tables the report prints (the stress ramp's steps, the outage's phases...). */
  tables: { title: string; columns: string[]; rows: (string | number)[][] }[];
  charts: ChartRef[];
  notes: string[];
  skipped?: string;
  durationMs: number;
  /** Latency summary of the main measured phase, ms. */
  latency?: Summary;
}

export interface RunResult {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  profile: string;
  /**
   * Rounds of the suites, each comparison kept from its median round (`median-run.ts`); absent
   * in runs made before rounds existed, which were one.
   */
  runs?: number;
  /** The command line that made it, as a user would type it. */
  command: string;
  environment: Environment;
  suites: SuiteResult[];
  scenarios: ScenarioResult[];
  notes: string[];
  /** Set when the machine was loaded at start (`noise.ts`): printed first, and atop the report. */
  noiseWarning?: string | undefined;
}
