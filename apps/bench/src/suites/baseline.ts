import type { MicroRow } from '../results';

/**
 * What each case of a group costs beyond the group's baseline row (a bare call, a clock read, a
 * floor), in ns, as facts named by `label(library)`.
 */
export function beyondBaseline(
  rows: MicroRow[],
  label: (library: string) => string,
): Record<string, string> {
  const base = rows.find((r) => r.role === 'baseline');
  const facts: Record<string, string> = {};
  if (!base || !Number.isFinite(base.nsPerOp)) return facts;
  for (const r of rows) {
    if (r.role === 'baseline' || !Number.isFinite(r.nsPerOp)) continue;
    facts[label(r.library)] = `${Math.max(0, r.nsPerOp - base.nsPerOp).toFixed(0)} ns`;
  }
  return facts;
}
