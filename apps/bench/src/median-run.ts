/**
 * Several runs of the suites made into one result, group by group. On a shared machine one run of
 * the harness moves by more than the margins of several targets, rows whose code did not change
 * included (the breaker against opossum read 8.2x, 6.9x and 7.3x in three runs of one day), so a
 * published figure that came from one run says as much about the run as about the code.
 *
 * Each group is kept whole from one run: the run where the group's first ratio with a target (the
 * first ratio, in a group without targets) is the median of the runs. A ratio, the figures it was
 * computed from and the group's facts and checks then always come from the same measurement, as
 * in a single run; a median of each number on its own would print ops/s whose ratio is not the
 * ratio printed beside them.
 */
import type { GroupResult, Ratio, SuiteResult } from './results';

/** The ratio a group is ranked by: its first targeted ratio, else its first; none without. */
export function rankingRatio(group: GroupResult): Ratio | undefined {
  let first: Ratio | undefined;
  for (const row of group.rows) {
    for (const ratio of row.ratios) {
      if (ratio.target !== undefined) return ratio;
      first ??= ratio;
    }
  }
  return first;
}

/**
 * The group of `candidates` (one per run, same name) whose ranking ratio is the median: the lower
 * middle of an even count. A group without a ratio in some run (a case threw) is ranked by the
 * runs that have one; with none, the first run's group.
 */
export function medianGroup(candidates: readonly GroupResult[]): GroupResult {
  const ranked = candidates
    .map((group) => ({ group, ratio: rankingRatio(group)?.ratio }))
    .filter((r): r is { group: GroupResult; ratio: number } => r.ratio !== undefined);
  if (ranked.length === 0) return candidates[0]!;
  ranked.sort((a, b) => a.ratio - b.ratio);
  return ranked[Math.floor((ranked.length - 1) / 2)]!.group;
}

/**
 * One result per suite from `runs` (each the suites of one run, in order): each group the median
 * group of its runs (see {@link medianGroup}); a suite skipped in every run stays skipped, one
 * skipped in some runs is made from the others. Durations add up; notes are kept once.
 */
export function medianRun(runs: readonly (readonly SuiteResult[])[]): SuiteResult[] {
  const first = runs[0] ?? [];
  return first.map((suite) => {
    const all = runs
      .map((run) => run.find((s) => s.name === suite.name))
      .filter((s): s is SuiteResult => s !== undefined);
    const measured = all.filter((s) => s.skipped === undefined);
    const durationMs = all.reduce((sum, s) => sum + s.durationMs, 0);
    if (measured.length === 0) return { ...suite, durationMs };
    const base = measured[0]!;
    const groups = base.groups.map((group) =>
      medianGroup(
        measured
          .map((s) => s.groups.find((g) => g.name === group.name))
          .filter((g): g is GroupResult => g !== undefined),
      ),
    );
    const notes = [...new Set(measured.flatMap((s) => s.notes))];
    return { ...base, groups, notes, durationMs };
  });
}
