import { describe, expect, it } from 'vitest';
import { testEnvironment } from './__fixtures__/environment';
import { findRepoRoot } from './env';
import { readReport } from './readme';
import { renderReport } from './report/markdown';
import type { GroupResult, RunResult } from './results';
import { currentShape } from './stored-run';

const p50 =
  '@x/provider-openai p50 overhead over raw undici (4000 alternating pairs, after 4000 warm-up calls of each client)';

/** A provider group as runs published before 2026-12-06 stored it: two overheads. */
const stored = (value: string, mean: string): GroupResult => ({
  name: 'OpenAI /v1/chat/completions streamed, c=1',
  description: 'one caller',
  rows: [],
  facts: { 'pipeline overhead per request (mean of the c=1 loop)': mean, other: 'kept' },
  checks: [{ what: p50, value, target: '< 30 µs', met: true }],
});

const runOf = (groups: GroupResult[]): RunResult => ({
  schema: 1,
  startedAt: '2026-12-05T20:06:08.373Z',
  finishedAt: '2026-12-05T21:00:00.000Z',
  durationMs: 1,
  profile: 'full',
  command: 'pnpm bench:publish',
  environment: testEnvironment,
  suites: [
    { name: 'provider-openai', title: 't', kind: 'micro', groups, notes: [], durationMs: 1 },
  ],
  scenarios: [],
  notes: [],
});

describe('currentShape', () => {
  it('drops the mean-of-loop overhead and shows a negative p50 overhead as within noise', () => {
    const run = runOf([stored('-1.3 µs', '1.3 µs')]);
    const group = currentShape(run).suites[0]!.groups[0]!;
    expect(group.facts).toEqual({ other: 'kept' });
    expect(group.checks).toEqual([
      { what: p50, value: 'within noise (-1.3 µs)', target: '< 30 µs', met: true },
    ]);
    // the stored run itself is left as it was read
    expect(run.suites[0]!.groups[0]!.checks![0]!.value).toBe('-1.3 µs');
  });

  it('leaves a positive p50 overhead, other checks and a current run as they are', () => {
    const size = { what: '@x/p install size', value: '-1 µs', target: '≤ 5 MB', met: true };
    const run = runOf([
      { ...stored('2.7 µs', '-5.2 µs'), checks: [stored('2.7 µs', '').checks![0]!, size] },
    ]);
    const once = currentShape(run);
    expect(once.suites[0]!.groups[0]!.checks).toEqual([
      { what: p50, value: '2.7 µs', target: '< 30 µs', met: true },
      size,
    ]);
    expect(currentShape(once)).toEqual(once);
  });
});

describe('the published report', () => {
  it('shows one overhead per provider setup, and none below zero as a bare number', () => {
    const report = renderReport(readReport(findRepoRoot()));
    // every line of the report that gives a provider's overhead over raw undici
    const lines = report.split('\n').filter((l) => /overhead/.test(l) && /@x\/provider-/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(report).not.toContain('pipeline overhead per request');
    for (const line of lines) expect(line).not.toMatch(/\*\*-\d/);
  });
});
