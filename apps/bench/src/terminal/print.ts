import { ratioColumns, ratioRows } from '../report/markdown';
import type { GroupResult, ScenarioResult, SuiteResult } from '../results';
import { formatNs, formatOps, formatRatio, textTable } from './table';

const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColour ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string) => paint(1, s);
export const dim = (s: string) => paint(2, s);

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
    r.ratios
      .map(
        (x) =>
          `${formatRatio(x.ratio)} vs ${x.vs}${x.target === undefined ? '' : x.met ? ' ✓' : ` ✗(≥${+x.target.toFixed(2)}x)`}`,
      )
      .join(', '),
  ]);
  const errors = group.rows.filter((r) => r.error).map((r) => dim(`  ${r.name}: ${r.error}`));
  const facts = Object.entries(group.facts).map(([k, v]) => dim(`  ${k}: ${v}`));
  return [
    bold(`${group.name}`) + dim(` — ${group.description}`),
    textTable(columns, rows),
    ...errors,
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
  const rows = ratioRows(suites).map((r) => r.map((c) => String(c).replace(/\*\*|`/g, '')));
  if (rows.length === 0) return '';
  return `${bold('\nMeasured ratios (ours ÷ theirs, ops/s)')}\n${textTable(ratioColumns, rows)}`;
}
