/**
 * When a target's ✓/✗ says nothing: a ratio read off samples that ranged wider than the margin
 * of any target, or a run started on a machine with more runnable work than cores. The verdict is
 * then printed as inconclusive (`≥ 1.5x ? noisy (±383%)`), with why, instead of a ✓/✗ the
 * samples cannot support. A run on a quiet machine is marked nothing, so it prints as before.
 */
import type { Environment } from './env';
import type { Ratio, SuiteResult } from './results';

/**
 * Spread (half the sample range over the median, in percent) above which a row's ratios get no
 * verdict: the samples then ranged from below half the median to above one and a half times it,
 * wider than the gap between any ratio and its target.
 */
export const noisySpreadPct = 50;

/** The warning a run prints first (and its report carries) when the machine was loaded at start. */
export function loadWarning(
  env: Pick<Environment, 'loadAverage' | 'cpuCount'>,
): string | undefined {
  const load = env.loadAverage[0];
  if (load === undefined || !(load > env.cpuCount)) return undefined;
  return `The machine was loaded when the run started (load average ${load} on ${env.cpuCount} cores): every figure is noisy, so no target is marked met or missed (shown as "? noisy"). Rerun on an idle machine for a verdict.`;
}

/**
 * Marks each targeted ratio whose verdict the noise cannot support, with the reason it prints:
 * the load at start when the machine was loaded, else the larger spread of its two rows when it
 * exceeds `noisySpreadPct`. Changes `suites` in place.
 */
export function markInconclusive(
  suites: SuiteResult[],
  env: Pick<Environment, 'loadAverage' | 'cpuCount'>,
): void {
  const loaded =
    loadWarning(env) === undefined
      ? undefined
      : `load ${env.loadAverage[0]} on ${env.cpuCount} cores`;
  for (const suite of suites) {
    for (const group of suite.groups) {
      for (const row of group.rows) {
        for (const ratio of row.ratios) {
          if (ratio.target === undefined) continue;
          const peer = group.rows.find(
            (p) => p.role === 'peer' && p.library === ratio.vs && p.concurrency === row.concurrency,
          );
          const spread = Math.max(row.spreadPct, peer?.spreadPct ?? 0);
          const reason = loaded ?? (spread > noisySpreadPct ? `±${spread.toFixed(1)}%` : undefined);
          if (reason !== undefined) ratio.inconclusive = reason;
        }
      }
    }
  }
}

/** The verdict of a targeted ratio: `✓`, `missed` (as the caller spells it) or `? noisy (why)`. */
export function verdictText(r: Pick<Ratio, 'met' | 'inconclusive'>, missed: string): string {
  if (r.inconclusive !== undefined) return `? noisy (${r.inconclusive})`;
  return r.met ? '✓' : missed;
}
