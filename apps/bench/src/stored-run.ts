/**
 * A saved run (a run's run.json, the published bench-results/report.json) read in the shape the
 * report is rendered from today. How a figure is shown can change after a run is published; the
 * run is then rendered again (`--from`, `pnpm --filter @x/bench readme`), never measured again, so
 * what a stored run holds in an older shape is brought to the current one here, and only here.
 * A run measured by this harness is already in it: `currentShape` leaves it unchanged.
 */
import { readFileSync } from 'node:fs';
import type { GroupResult, RunResult } from './results';
import { overheadValue } from './suites/provider-common';

/**
 * Facts the harness no longer prints. `pipeline overhead per request (mean of the c=1 loop)` was
 * a second overhead beside the p50 one of the same setup, and sometimes of the other sign.
 */
const retiredFacts = ['pipeline overhead per request (mean of the c=1 loop)'];

/** A p50 overhead check as runs before `overheadValue` stored it: the bare number. */
const p50Check = / p50 overhead over raw undici /;
const bareMicroseconds = /^(-?\d+(?:\.\d+)?) µs$/;

function currentGroup(group: GroupResult): GroupResult {
  const facts = Object.fromEntries(
    Object.entries(group.facts).filter(([k]) => !retiredFacts.includes(k)),
  );
  const checks = group.checks?.map((c) => {
    const bare = p50Check.test(c.what) ? bareMicroseconds.exec(c.value) : null;
    return bare ? { ...c, value: overheadValue(Number(bare[1])) } : c;
  });
  return { ...group, facts, ...(checks ? { checks } : {}) };
}

/** `run` as a run measured today would hold it (a copy; `run` is left as it is). */
export function currentShape(run: RunResult): RunResult {
  return {
    ...run,
    suites: run.suites.map((s) => ({ ...s, groups: s.groups.map(currentGroup) })),
  };
}

export function readRun(file: string): RunResult {
  return currentShape(JSON.parse(readFileSync(file, 'utf8')) as RunResult);
}
