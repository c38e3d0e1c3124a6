import { describe, expect, it } from 'vitest';
import { medianGroup, medianRun } from './median-run';
import type { GroupResult, MicroRow, Ratio, SuiteResult } from './results';

function row(name: string, ratios: Ratio[], opsPerSec = 100): MicroRow {
  return {
    name,
    library: name,
    role: ratios.length > 0 ? 'ours' : 'peer',
    concurrency: 1,
    opsPerSec,
    samples: [opsPerSec],
    spreadPct: 0,
    nsPerOp: 1e9 / opsPerSec,
    ratios,
  };
}

/** A group whose ours row has `ratios` (vs `a` without a target, then vs `b` with one). */
function group(name: string, untargeted: number, targeted: number, fact: string): GroupResult {
  return {
    name,
    description: '',
    rows: [
      row('ours', [
        { vs: 'a', ratio: untargeted },
        { vs: 'b', ratio: targeted, target: 2, met: targeted >= 2 },
      ]),
      row('a', []),
      row('b', []),
    ],
    facts: { fact },
  };
}

function suite(name: string, groups: GroupResult[], durationMs = 10): SuiteResult {
  return { name, title: name, kind: 'micro', groups, notes: [`${name} note`], durationMs };
}

describe('medianGroup', () => {
  it('keeps the whole group of the run whose targeted ratio is the median', () => {
    const runs = [
      group('g', 9, 2.5, 'one'),
      group('g', 1, 1.5, 'two'),
      group('g', 5, 3.1, 'three'),
    ];
    const kept = medianGroup(runs);
    expect(kept).toBe(runs[0]);
    expect(kept.facts).toEqual({ fact: 'one' });
  });

  it('ranks by the first ratio without a target, the lower middle of an even count', () => {
    const plain = (ratio: number): GroupResult => ({
      name: 'g',
      description: '',
      rows: [row('ours', [{ vs: 'a', ratio }])],
      facts: {},
    });
    const runs = [plain(4), plain(1), plain(3), plain(2)];
    expect(medianGroup(runs)).toBe(runs[3]);
  });

  it('ranks only the runs with a ratio, and keeps the first group when none has one', () => {
    const none: GroupResult = { name: 'g', description: '', rows: [row('a', [])], facts: {} };
    const runs = [none, group('g', 1, 1, 'x'), group('g', 1, 3, 'y'), group('g', 1, 2, 'z')];
    expect(medianGroup(runs).facts).toEqual({ fact: 'z' });
    expect(medianGroup([none, { ...none }])).toBe(none);
  });
});

describe('medianRun', () => {
  it('makes each group from its own median run, adds the durations and keeps notes once', () => {
    const runs = [
      [suite('s', [group('g1', 1, 1, 'r1'), group('g2', 1, 3, 'r1')])],
      [suite('s', [group('g1', 1, 2, 'r2'), group('g2', 1, 1, 'r2')])],
      [suite('s', [group('g1', 1, 3, 'r3'), group('g2', 1, 2, 'r3')])],
    ];
    const [merged] = medianRun(runs);
    expect(merged!.groups.map((g) => g.facts.fact)).toEqual(['r2', 'r3']);
    expect(merged!.durationMs).toBe(30);
    expect(merged!.notes).toEqual(['s note']);
  });

  it('makes a suite skipped in one run from the others, and keeps one skipped in all', () => {
    const skipped = (name: string): SuiteResult => ({ ...suite(name, []), skipped: 'not built' });
    const runs = [
      [skipped('s'), skipped('t')],
      [suite('s', [group('g', 1, 2, 'r2')]), skipped('t')],
      [suite('s', [group('g', 1, 4, 'r3')]), skipped('t')],
    ];
    const [s, t] = medianRun(runs);
    expect(s!.skipped).toBeUndefined();
    expect(s!.groups[0]!.facts).toEqual({ fact: 'r2' });
    expect(t!.skipped).toBe('not built');
  });
});
