import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliOptions } from './cli';
import type { MicroGroup } from './micro';
import type { Profile } from './profiles';
import type { ChartRef, ScenarioResult } from './results';
import type { Progress } from './terminal/progress';

export interface RedisHandle {
  url: string;
  version: string;
}

/** What every suite and scenario receives. */
export interface BenchContext {
  profile: Profile;
  cli: CliOptions;
  progress: Progress;
  /** Where charts go (the report's folder). */
  outDir: string;
  /** false with --no-write: charts are rendered but not saved. */
  write: boolean;
  /** A real redis-server started on first use, or `undefined` when the binary is missing. */
  redis(): Promise<RedisHandle | undefined>;
  /** Saves an SVG chart next to the report and returns the reference the report links. */
  chart(file: string, title: string, svg: string): ChartRef;
}

/** A micro-benchmark suite: comparison groups of one @x package against its peers. */
export interface Suite {
  name: string;
  title: string;
  /** The @x packages it needs (a missing build skips the suite with a note). */
  packages: string[];
  prepare(ctx: BenchContext): Promise<PreparedSuite>;
}

export interface PreparedSuite {
  groups: MicroGroup[];
  notes?: string[];
  close?: () => Promise<void> | void;
}

/** A load scenario against @x/ollama-sim. */
export interface Scenario {
  name: string;
  title: string;
  packages: string[];
  run(ctx: BenchContext): Promise<Omit<ScenarioResult, 'durationMs' | 'kind' | 'name' | 'title'>>;
}

export function chartWriter(outDir: string, write: boolean) {
  return (file: string, title: string, svg: string): ChartRef => {
    if (write) writeFileSync(join(outDir, file), svg);
    return { file, title };
  };
}
