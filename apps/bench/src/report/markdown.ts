import { verdictText } from '../noise';
import type {
  GroupResult,
  MicroRow,
  Ratio,
  RunResult,
  ScenarioResult,
  SuiteResult,
} from '../results';
import {
  formatCheckedRatio,
  formatMs,
  formatNs,
  formatOps,
  markdownTable,
} from '../terminal/table';

export const ratiosStart = '<!-- ratios:start -->';
export const ratiosEnd = '<!-- ratios:end -->';

function targetCell(r: Ratio): string {
  if (r.target === undefined) return '';
  return `≥ ${+r.target.toFixed(2)}x ${verdictText(r, '✗ missed')}`;
}

/** One line per (ours, peer) pair across every suite: the table the root README repeats. */
export function ratioRows(suites: SuiteResult[]): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const suite of suites) {
    for (const group of suite.groups) {
      for (const row of group.rows) {
        if (row.role !== 'ours') continue;
        for (const r of row.ratios) {
          const peer = group.rows.find(
            (p) => p.library === r.vs && p.role === 'peer' && p.concurrency === row.concurrency,
          );
          rows.push([
            `\`${row.library}\``,
            row.concurrency > 1 && !group.name.includes('c=')
              ? `${group.name} (c=${row.concurrency})`
              : group.name,
            r.vs,
            formatOps(row.opsPerSec),
            peer ? formatOps(peer.opsPerSec) : '—',
            `**${formatCheckedRatio(r)}**`,
            targetCell(r),
          ]);
        }
      }
    }
  }
  return rows;
}

/** One line per non-ratio target (install size, p50 overhead, bytes per key) across every suite. */
export function checkRows(suites: SuiteResult[]): string[][] {
  const rows: string[][] = [];
  for (const suite of suites) {
    for (const group of suite.groups) {
      for (const c of group.checks ?? []) {
        rows.push([
          c.what,
          group.name,
          `**${c.value}**`,
          `${c.target} ${c.met ? '✓' : '✗ missed'}`,
        ]);
      }
    }
  }
  return rows;
}

export const checkColumns = ['measure', 'setup', 'measured', 'target'];

export const ratioColumns = [
  'package',
  'setup',
  'against',
  'ours ops/s',
  'theirs ops/s',
  'ratio',
  'target',
];

export function groupTable(group: GroupResult): string {
  const anyConcurrency = group.rows.some((r) => r.concurrency > 1);
  const columns = [
    'case',
    'library',
    ...(anyConcurrency ? ['concurrency'] : []),
    'ops/s (median)',
    'spread',
    'time/op',
    'ratio',
  ];
  const rows = group.rows.map((r: MicroRow) => [
    r.role === 'ours' ? `**${r.name}**` : r.name,
    r.library,
    ...(anyConcurrency ? [r.concurrency] : []),
    r.error ? `failed: ${r.error}` : formatOps(r.opsPerSec),
    r.error ? '' : `±${r.spreadPct.toFixed(1)}%`,
    r.error ? '' : formatNs(r.nsPerOp),
    r.ratios.map((x) => `${formatCheckedRatio(x)} vs ${x.vs}${targetMark(x)}`).join(', '),
  ]);
  const checks = (group.checks ?? []).map(
    (c) => `- ${c.what}: **${c.value}** (target ${c.target} ${c.met ? '✓' : '✗ missed'})`,
  );
  // A group of checks only (install size) has no timed case: a header with no row says nothing.
  const table = rows.length > 0 ? [markdownTable(columns, rows)] : [];
  const gap = table.length > 0 && checks.length > 0 ? [''] : [];
  return [...table, ...gap, ...checks].join('\n');
}

function targetMark(r: Ratio): string {
  if (r.target === undefined) return '';
  return ` (≥ ${+r.target.toFixed(2)}x ${verdictText(r, '✗')})`;
}

/** A scenario's measures (a table) and its tables, each followed by a blank line. */
export function scenarioTables(s: ScenarioResult): string[] {
  const out: string[] = [];
  const metrics = Object.entries(s.metrics);
  if (metrics.length > 0) out.push(markdownTable(['measure', 'value'], metrics), '');
  for (const t of s.tables) out.push(`**${t.title}**`, '', markdownTable(t.columns, t.rows), '');
  return out;
}

function scenarioSection(s: ScenarioResult): string {
  const out: string[] = [`### ${s.title}`, '', s.description, ''];
  if (s.skipped) {
    out.push(`_Skipped: ${s.skipped}_`, '');
    return out.join('\n');
  }
  const params = Object.entries(s.params)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  if (params) out.push(`Parameters: ${params}.`, '');
  out.push(...scenarioTables(s));
  for (const c of s.charts) out.push(`![${c.title}](${c.file})`, '');
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.notes.length > 0) out.push('');
  return out.join('\n');
}

export function renderReport(run: RunResult): string {
  const env = run.environment;
  const date = run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const out: string[] = [
    '# Benchmark report',
    '',
    `Generated ${date} by \`${run.command}\` (profile \`${run.profile}\`, ${formatMs(run.durationMs)}). ` +
      '`pnpm bench` writes every run to `apps/bench/runs/<timestamp>/` (untracked); only ' +
      '`pnpm bench:publish` measures and replaces this report, `report.json` beside it and the ' +
      'README tables generated from it.',
    '',
    '## Environment',
    '',
    markdownTable(
      ['', ''],
      [
        ['Node', `${env.node} (V8 ${env.v8})`],
        ['CPU', `${env.cpuModel}, ${env.cpuCount} cores`],
        ['OS', `${env.platform} ${env.osRelease} ${env.arch}`],
        ['memory', `${env.totalMemoryMiB} MiB (${env.freeMemoryMiB} MiB free)`],
        ['load average at start', env.loadAverage.join(' / ')],
        ...(env.redisServer ? [['redis-server', env.redisServer]] : []),
      ],
    ),
    '',
    ...(run.noiseWarning ? [`**Warning:** ${run.noiseWarning}`, ''] : []),
    `Packages: ${Object.entries(env.packages)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')}.`,
    '',
    'The machine is shared and was busy: single figures are noisy, ratios measured side by side ' +
      'in one process run are what we publish. ops/s is the median of several samples; spread is ' +
      'half the range of the samples divided by the median.',
    '',
    '## Measured ratios',
    '',
    'ours ÷ theirs, in operations per second measured in wall-clock time (above 1x: the @x ' +
      'package is faster).',
    '',
    ratiosStart,
    markdownTable(ratioColumns, ratioRows(run.suites)),
    ratiosEnd,
    '',
  ];
  const checks = checkRows(run.suites);
  if (checks.length > 0) {
    out.push('Targets that are not ratios:', '', markdownTable(checkColumns, checks), '');
  }
  if (run.notes.length > 0) {
    out.push(...run.notes.map((n) => `- ${n}`), '');
  }
  out.push('## Micro-benchmarks', '');
  for (const suite of run.suites) {
    out.push(`### ${suite.title}`, '');
    if (suite.skipped) {
      out.push(`_Skipped: ${suite.skipped}_`, '');
      continue;
    }
    for (const group of suite.groups) {
      out.push(`**${group.name}**: ${group.description}`, '', groupTable(group), '');
      const facts = Object.entries(group.facts);
      if (facts.length > 0) {
        out.push(...facts.map(([k, v]) => `- ${k}: ${v}`), '');
      }
    }
    for (const n of suite.notes) out.push(`- ${n}`);
    if (suite.notes.length > 0) out.push('');
  }
  if (run.scenarios.length > 0) {
    out.push('## Load scenarios (against @x/ollama-sim)', '');
    for (const s of run.scenarios) out.push(scenarioSection(s));
  }
  out.push(
    '## Method',
    '',
    '- Every figure is wall-clock time (`performance.now()`), never CPU time.',
    '- Sequential cases run in tinybench 6; calls of a few nanoseconds are batched so one ' +
      'iteration lasts about 20 µs and the timer does not dominate. Each sample is the batch size ' +
      'times 1000 divided by the mean iteration time.',
    '- Concurrent cases (pool, provider) run closed loops: that many callers each issue the next ' +
      'request as soon as the last one ends, for the sample time; the figure is completions per ' +
      'second.',
    '- Cases of a comparison are interleaved round by round (A B C, B C A, ...) so drift on the ' +
      'machine spreads over all of them.',
    '- Load scenarios drive @x/provider-ollama against an embedded @x/ollama-sim on loopback, ' +
      'with the fault mix given in each scenario; latencies are per request, end to end.',
    '',
  );
  return out.join('\n');
}
