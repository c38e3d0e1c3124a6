import { describe, expect, it } from 'vitest';
import { testEnvironment } from './__fixtures__/environment';
import { findRepoRoot } from './env';
import {
  markers,
  type Region,
  readReport,
  regionBody,
  regionStates,
  regions,
  replaceRegion,
} from './readme';
import type { RunResult } from './results';

const run: RunResult = {
  schema: 1,
  startedAt: '2026-11-26T10:00:00.000Z',
  finishedAt: '2026-11-26T10:05:00.000Z',
  durationMs: 300_000,
  profile: 'full',
  command: 'pnpm bench:publish',
  environment: { ...testEnvironment, loadAverage: [1.5, 1.2, 1] },
  suites: [
    {
      name: 'breaker',
      title: '@x/breaker',
      kind: 'micro',
      notes: [],
      durationMs: 1,
      groups: [
        {
          name: 'closed path, one awaited call',
          description: 'a call',
          facts: {},
          checks: [{ what: 'overhead', value: '20 ns', target: '< 30 ns', met: true }],
          rows: [
            {
              name: '@x/breaker execute()',
              library: '@x/breaker',
              role: 'ours',
              concurrency: 1,
              opsPerSec: 3_000_000,
              samples: [3_000_000],
              spreadPct: 1,
              nsPerOp: 333,
              ratios: [{ vs: 'cockatiel', ratio: 2.5, target: 2, met: true }],
            },
            {
              name: 'cockatiel execute()',
              library: 'cockatiel',
              role: 'peer',
              concurrency: 1,
              opsPerSec: 1_200_000,
              samples: [1_200_000],
              spreadPct: 1,
              nsPerOp: 833,
              ratios: [],
            },
          ],
        },
      ],
    },
  ],
  scenarios: [],
  notes: [],
};

const region: Region = regions.find((r) => r.name === 'breaker')!;
const [start, end] = markers('breaker');

describe('replaceRegion', () => {
  it('replaces only the marked region when both markers are present', () => {
    const readme = `# Title\n\nbefore\n\n${start}\nold table\n${end}\n\nafter\n`;
    const out = replaceRegion(readme, region, run, 'README.md');
    expect(out.startsWith(`# Title\n\nbefore\n\n${start}\n`)).toBe(true);
    expect(out.endsWith(`${end}\n\nafter\n`)).toBe(true);
    expect(out).not.toContain('old table');
    expect(out).toContain('**closed path, one awaited call**');
    expect(out).toContain('2.50x vs cockatiel (≥ 2x ✓)');
    expect(out).toContain('overhead: **20 ns** (target < 30 ns ✓)');
  });
  it('names the command that made the figures and the one that reruns them', () => {
    const body = regionBody(region, run);
    expect(body).toContain(
      '2026-11-26 10:00 UTC by `pnpm bench:publish` (profile `full`, wall clock)',
    );
    expect(body).toContain('Rerun: `pnpm --filter @x/breaker bench`');
    expect(body).toContain(
      '](https://github.com/x-llm/resilience/blob/main/bench-results/report.md)',
    );
  });
  it('gives the same README when run twice on the same report', () => {
    const once = replaceRegion(`${start}\n${end}\n`, region, run, 'README.md');
    expect(replaceRegion(once, region, run, 'README.md')).toBe(once);
  });
  it('throws naming the markers when the README has none', () => {
    expect(() => replaceRegion('# nothing here', region, run, 'README.md')).toThrow(
      /bench:breaker:start/,
    );
  });
});

describe('regionStates', () => {
  it('finds every README table equal to what the committed report generates', () => {
    const root = findRepoRoot();
    const stale = regionStates(root, readReport(root))
      .filter((s) => s.stale)
      .map((s) => `${s.file} (bench:${s.name})`);
    // A README table was edited by hand, or the report changed without `pnpm bench:publish`:
    // regenerate them with `pnpm --filter @x/bench readme`.
    expect(stale).toEqual([]);
  });
});
