import type { MicroRow, Target } from '../results';

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

/**
 * For each target of a group, the cost beyond the baseline that the target leaves to the case it
 * judges: the peer's time divided by the target, minus the baseline's time, in ns. Below zero, no
 * implementation that pays the baseline (one clock read per decision, one awaited call) can meet
 * the target, however little it adds: the fact says so, so that a miss reads as what it is. A
 * group may hold several baselines (a bare call, and the least a design of that kind must add to
 * it); `baseName` picks the one the room is measured from.
 */
export function roomForTargets(
  rows: MicroRow[],
  targets: readonly Target[],
  beyond: string,
  /** the baseline row to measure from, by case name; the group's first baseline by default */
  baseName?: string,
): Record<string, string> {
  const base = rows.find(
    (r) => r.role === 'baseline' && (baseName === undefined || r.name === baseName),
  );
  const facts: Record<string, string> = {};
  if (!base || !Number.isFinite(base.nsPerOp)) return facts;
  for (const { vs, min } of targets) {
    const peer = rows.find((r) => r.role === 'peer' && r.library === vs);
    if (!peer || !Number.isFinite(peer.nsPerOp)) continue;
    // decided on the printed figure, so that a room of -0.4 ns reads `0 ns`, not `-0 ns: out of reach`
    const room = Math.round(peer.nsPerOp / min - base.nsPerOp) || 0;
    facts[`room left by ≥ ${min}x vs ${vs}, beyond ${beyond}`] =
      room >= 0 ? `${room} ns` : `${room} ns: out of reach while each call pays ${beyond}`;
  }
  return facts;
}
