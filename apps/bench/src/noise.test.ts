import { describe, expect, it } from 'vitest';
import { testEnvironment } from './__fixtures__/environment';
import { loadWarning, markInconclusive } from './noise';
import { groupTable, renderReport } from './report/markdown';
import type { MicroRow, RunResult, SuiteResult } from './results';
import { groupText, summaryText } from './terminal/print';

const quiet = { ...testEnvironment, cpuCount: 2, loadAverage: [1.5, 1, 1] };
const loaded = { ...testEnvironment, cpuCount: 2, loadAverage: [18, 9, 4] };

function row(library: string, role: 'ours' | 'peer', spreadPct: number, ratio?: number): MicroRow {
  return {
    name: `${library} call`,
    library,
    role,
    concurrency: 1,
    opsPerSec: 1000,
    samples: [1000],
    spreadPct,
    nsPerOp: 1e6,
    ratios: ratio === undefined ? [] : [{ vs: 'peer-lib', ratio, target: 1.5, met: ratio >= 1.5 }],
  };
}

/** One comparison: ours at `ratio` against a target of 1.5x, the rows spread as given. */
function suiteOf(ours: number, peer: number, ratio = 2): SuiteResult {
  return {
    name: 's',
    title: 's',
    kind: 'micro',
    groups: [
      {
        name: 'one call',
        description: 'one call',
        rows: [row('@x/p', 'ours', ours, ratio), row('peer-lib', 'peer', peer)],
        facts: {},
      },
    ],
    notes: [],
    durationMs: 1,
  };
}

function runOf(suites: SuiteResult[], noiseWarning?: string): RunResult {
  return {
    schema: 1,
    startedAt: '2026-12-07T18:00:00.000Z',
    finishedAt: '2026-12-07T18:01:00.000Z',
    durationMs: 60_000,
    profile: 'quick',
    command: 'pnpm bench --quick',
    environment: quiet,
    suites,
    scenarios: [],
    notes: [],
    ...(noiseWarning ? { noiseWarning } : {}),
  };
}

describe('markInconclusive', () => {
  it('prints the verdict as noisy with the spread when a row of the ratio spreads past 50%', () => {
    const suites = [suiteOf(12, 383)];
    markInconclusive(suites, quiet);
    const group = suites[0]!.groups[0]!;
    expect(groupTable(group)).toContain('2.00x vs peer-lib (≥ 1.5x ? noisy (±383.0%))');
    expect(groupText(group)).toContain('2.00x vs peer-lib ≥1.5x ? noisy (±383.0%)');
    expect(summaryText(suites)).toContain('≥ 1.5x ? noisy (±383.0%)');
    expect(`${groupTable(group)}\n${groupText(group)}\n${summaryText(suites)}`).not.toMatch(/[✓✗]/);
  });

  it('prints a missed target as noisy too when the ours row is the noisy one', () => {
    const suites = [suiteOf(75, 3, 1.2)];
    markInconclusive(suites, quiet);
    expect(groupTable(suites[0]!.groups[0]!)).toContain(
      '1.20x vs peer-lib (≥ 1.5x ? noisy (±75.0%))',
    );
  });

  it('keeps ✓ and ✗ and the report unchanged when the spreads are within 50% on a quiet machine', () => {
    const met = [suiteOf(50, 10)];
    const missed = [suiteOf(5, 10, 1.2)];
    const before = renderReport(runOf([...structuredClone(met), ...structuredClone(missed)]));
    markInconclusive(met, quiet);
    markInconclusive(missed, quiet);
    expect(groupTable(met[0]!.groups[0]!)).toContain('2.00x vs peer-lib (≥ 1.5x ✓)');
    expect(groupText(missed[0]!.groups[0]!)).toContain('1.20x vs peer-lib ✗(≥1.5x)');
    expect(summaryText(missed)).toContain('≥ 1.5x ✗ missed');
    expect(renderReport(runOf([...met, ...missed]))).toBe(before);
  });

  it('prints every verdict as noisy with the load when the load at start exceeds the cores', () => {
    const suites = [suiteOf(1, 1), suiteOf(2, 2, 1.2)];
    markInconclusive(suites, loaded);
    const text = summaryText(suites);
    expect(text.match(/≥ 1\.5x \? noisy \(load 18 on 2 cores\)/g)).toHaveLength(2);
    expect(text).not.toMatch(/[✓✗]/);
  });

  it('leaves a ratio without a target unmarked when the run is noisy', () => {
    const suites = [suiteOf(400, 400)];
    suites[0]!.groups[0]!.rows[0]!.ratios = [{ vs: 'peer-lib', ratio: 2 }];
    markInconclusive(suites, loaded);
    expect(suites[0]!.groups[0]!.rows[0]!.ratios[0]).toEqual({ vs: 'peer-lib', ratio: 2 });
  });
});

describe('loadWarning', () => {
  it('names the load and the cores when the load at start exceeds the core count', () => {
    expect(loadWarning(loaded)).toMatch(/load average 18 on 2 cores/);
  });

  it('returns nothing when the load is at most the core count', () => {
    expect(loadWarning({ cpuCount: 2, loadAverage: [2, 3, 3] })).toBeUndefined();
  });
});

describe('renderReport', () => {
  it('puts the load warning under the environment when the run carries one', () => {
    const report = renderReport(runOf([suiteOf(1, 1)], 'loaded, 18 on 2 cores'));
    const warning = report.indexOf('**Warning:** loaded, 18 on 2 cores');
    expect(warning).toBeGreaterThan(report.indexOf('## Environment'));
    expect(warning).toBeLessThan(report.indexOf('## Measured ratios'));
    expect(renderReport(runOf([suiteOf(1, 1)]))).not.toContain('Warning');
  });
});
