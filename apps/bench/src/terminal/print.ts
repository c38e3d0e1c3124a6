import { verdictText } from '../noise';
import { checkColumns, checkRows, ratioColumns, ratioRows } from '../report/markdown';
import type { GroupResult, Ratio, ScenarioResult, SuiteResult } from '../results';
import { formatCheckedRatio, formatNs, formatOps, textTable } from './table';

const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string) => paint(1, s);
export const dim = (s: string) => paint(2, s);

/** ` ✓`, ` ✗(≥1.5x)`, or ` ≥1.5x ? noisy (±383%)`: the target is named whenever it is not met. */
function targetMark(r: Ratio): string {
  if (r.target === undefined) return '';
  const target = `≥${+r.target.toFixed(2)}x`;
  return `${r.inconclusive === undefined ? '' : ` ${target}`} ${verdictText(r, `✗(${target})`)}`;
}

export function groupText(group: GroupResult): string {
  const anyConcurrency = group.rows.some((r) => r.concurrency > 1);
  const columns = [
    'case',
    ...(anyConcurrency ? ['conc.'] : []),
    'ops/s',
    'spread',
    'time/op',
    'ratio',
  ];
  const rows = group.rows.map((r) => [
    `${r.role === 'ours' ? '▶ ' : '  '}${r.name}`,
    ...(anyConcurrency ? [r.concurrency] : []),
    r.error ? 'failed' : formatOps(r.opsPerSec),
    r.error ? '' : `±${r.spreadPct.toFixed(1)}%`,
    r.error ? '' : formatNs(r.nsPerOp),
    r.ratios.map((x) => `${formatCheckedRatio(x)} vs ${x.vs}${targetMark(x)}`).join(', '),
  ]);
  const errors = group.rows.filter((r) => r.error).map((r) => dim(`  ${r.name}: ${r.error}`));
  const facts = Object.entries(group.facts).map(([k, v]) => dim(`  ${k}: ${v}`));
  const checks = (group.checks ?? []).map(
    (c) => `  ${c.what}: ${c.value} ${c.met ? '✓' : `✗(${c.target})`}`,
  );
  return [
    bold(`${group.name}`) + dim(` — ${group.description}`),
    ...(rows.length > 0 ? [textTable(columns, rows)] : []),
    ...errors,
    ...checks,
    ...facts,
  ].join('\n');
}

export function suiteText(suite: SuiteResult): string {
  const head = bold(`\n■ ${suite.title}`);
  if (suite.skipped) return `${head}\n${dim(`  skipped: ${suite.skipped}`)}`;
  return [
    head,
    ...suite.groups.map(groupText),
    ...suite.notes.map((n) => dim(`  note: ${n}`)),
  ].join('\n\n');
}

export function scenarioText(s: ScenarioResult): string {
  const head = bold(`\n■ ${s.title}`);
  if (s.skipped) return `${head}\n${dim(`  skipped: ${s.skipped}`)}`;
  const lines = [head];
  const metrics = Object.entries(s.metrics);
  if (metrics.length > 0)
    lines.push(
      textTable(
        ['measure', 'value'],
        metrics.map(([k, v]) => [k, v]),
      ),
    );
  for (const t of s.tables) lines.push(`\n${t.title}\n${textTable(t.columns, t.rows)}`);
  for (const n of s.notes) lines.push(dim(`  note: ${n}`));
  return lines.join('\n');
}

export function summaryText(suites: SuiteResult[]): string {
  const plain = (r: (string | number)[]) => r.map((c) => String(c).replace(/\*\*|`/g, ''));
  const rows = ratioRows(suites).map(plain);
  const checks = checkRows(suites).map(plain);
  const out: string[] = [];
  if (rows.length > 0) {
    out.push(
      `${bold('\nMeasured ratios (ours ÷ theirs, ops/s, wall clock)')}\n${textTable(ratioColumns, rows)}`,
    );
  }
  if (checks.length > 0) {
    out.push(`${bold('\nOther targets')}\n${textTable(checkColumns, checks)}`);
  }
  return out.join('\n');
}
