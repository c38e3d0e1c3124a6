/**
 * The benchmark tables of the READMEs, generated from the committed report
 * (bench-results/report.json) between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->`.
 * Nothing else in a README is touched. A test fails when a table disagrees with the report, so a
 * number in a README is always one the report holds.
 *
 *   pnpm --filter @x/bench readme            # rewrite the tables from bench-results/report.json
 *   pnpm --filter @x/bench readme -- --check # exit 1 when a table is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findRepoRoot } from './env';
import {
  checkColumns,
  checkRows,
  groupTable,
  ratioColumns,
  ratioRows,
  scenarioTables as scenarioBody,
} from './report/markdown';
import type { RunResult, ScenarioResult, SuiteResult } from './results';
import { readRun } from './stored-run';
import { markdownTable } from './terminal/table';

/** The committed report every README table is generated from, relative to the repository root. */
export const reportJson = 'bench-results/report.json';

export interface Region {
  /** README path relative to the repository root. */
  file: string;
  /** Marker name: `<!-- bench:<name>:start -->`. */
  name: string;
  /** The command that reruns just what the table shows (into apps/bench/runs/). */
  rerun: string;
  render(run: RunResult): string;
}

export function markers(name: string): [string, string] {
  return [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`];
}

function suiteOf(run: RunResult, name: string): SuiteResult | undefined {
  return run.suites.find((s) => s.name === name);
}

function scenarioOf(run: RunResult, name: string): ScenarioResult | undefined {
  return run.scenarios.find((s) => s.name === name);
}

function suiteTables(run: RunResult, names: string[]): string {
  const out: string[] = [];
  for (const name of names) {
    const suite = suiteOf(run, name);
    if (!suite) {
      out.push(`_The published run has no \`${name}\` suite._`, '');
      continue;
    }
    if (suite.skipped) {
      out.push(`_Skipped in the published run: ${suite.skipped}_`, '');
      continue;
    }
    for (const group of suite.groups) {
      out.push(`**${group.name}**: ${group.description}`, '', groupTable(group), '');
      const facts = Object.entries(group.facts);
      if (facts.length > 0) out.push(...facts.map(([k, v]) => `- ${k}: ${v}`), '');
    }
  }
  return out.join('\n').trim();
}

function scenarioTables(run: RunResult, name: string): string {
  const s = scenarioOf(run, name);
  if (!s) return `_The published run has no \`${name}\` scenario._`;
  if (s.skipped) return `_Skipped in the published run: ${s.skipped}_`;
  return [s.description, '', ...scenarioBody(s)].join('\n').trim();
}

/** How many rounds of the suites the run's comparisons are the median of, when more than one. */
function rounds(run: RunResult): string {
  const n = run.runs ?? 1;
  return n > 1 ? `, each comparison from the median of ${n} rounds` : '';
}

/** Where the numbers come from and how to get them again: the first line of every table. */
function provenance(run: RunResult, region: Region): string {
  const env = run.environment;
  const date = run.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  // The root README's link is relative; a package README's is absolute, because npm shows it
  // from the package's tarball, where a path out of the package leads nowhere.
  const link =
    region.file.split('/').length === 1
      ? 'bench-results/report.md'
      : 'https://github.com/x-llm/resilience/blob/main/bench-results/report.md';
  return (
    `Measured ${date} by \`${run.command}\` (profile \`${run.profile}\`, wall clock${rounds(run)}) on Node ` +
    `${env.node}, ${env.cpuModel} × ${env.cpuCount} (load average ${env.loadAverage.join(' / ')}). ` +
    `Rerun: \`${region.rerun}\` (writes to \`apps/bench/runs/\`, not here). This table is ` +
    `generated from [the published report](${link}) by \`pnpm bench:publish\`; do not edit it.`
  );
}

function suiteRegion(file: string, pkg: string, suites: [string], scenario?: string): Region {
  return {
    file,
    name: suites[0],
    rerun: `pnpm --filter ${pkg} bench`,
    render: (run) =>
      scenario === undefined
        ? suiteTables(run, suites)
        : `${suiteTables(run, suites)}\n\n${scenarioTables(run, scenario)}`,
  };
}

export const regions: Region[] = [
  {
    file: 'README.md',
    name: 'ratios',
    rerun: 'pnpm bench',
    render(run) {
      const checks = checkRows(run.suites);
      return [
        'ours ÷ theirs in operations per second, above 1x means the @x package is faster.',
        '',
        markdownTable(ratioColumns, ratioRows(run.suites)),
        ...(checks.length > 0 ? ['', markdownTable(checkColumns, checks)] : []),
      ].join('\n');
    },
  },
  suiteRegion('packages/breaker/README.md', '@x/breaker', ['breaker']),
  suiteRegion('packages/pool/README.md', '@x/pool', ['pool'], 'reuse'),
  suiteRegion('packages/tokens/README.md', '@x/tokens', ['tokens']),
  {
    ...suiteRegion('packages/tokens/README.md', '@x/tokens', ['install-size']),
    rerun: 'pnpm --filter @x/bench bench -- --only install-size',
  },
  suiteRegion('packages/rate-limit/README.md', '@x/rate-limit', ['rate-limit']),
  suiteRegion('packages/cache/README.md', '@x/cache', ['cache']),
  suiteRegion('packages/provider-ollama/README.md', '@x/provider-ollama', ['provider-ollama']),
  {
    ...suiteRegion('packages/provider-ollama/README.md', '@x/provider-ollama', ['install-size']),
    rerun: 'pnpm --filter @x/bench bench -- --only install-size',
  },
  suiteRegion('packages/provider-openai/README.md', '@x/provider-openai', ['provider-openai']),
  suiteRegion('packages/ollama-sim/README.md', '@x/ollama-sim', ['ollama-sim']),
  {
    file: 'packages/router/README.md',
    name: 'router',
    rerun: 'pnpm --filter @x/router bench',
    render: (run) => scenarioTables(run, 'router'),
  },
];

/** The text between a region's markers, as generated from `run`. */
export function regionBody(region: Region, run: RunResult): string {
  return `\n${provenance(run, region)}\n\n${region.render(run)}\n`;
}

/** Replaces only the marked region. Throws when its markers are missing. */
export function replaceRegion(text: string, region: Region, run: RunResult, what: string): string {
  const [start, end] = markers(region.name);
  const a = text.indexOf(start);
  const b = text.indexOf(end, a + start.length);
  if (a < 0 || b < 0) throw new Error(`${what}: markers \`${start}\` ... \`${end}\` not found`);
  return text.slice(0, a + start.length) + regionBody(region, run) + text.slice(b);
}

export interface RegionState {
  file: string;
  name: string;
  stale: boolean;
  /** The README with the region regenerated. */
  text: string;
}

/** Every region of every README, regenerated from `run`, and whether the file disagrees. */
export function regionStates(root: string, run: RunResult): RegionState[] {
  const texts = new Map<string, string>();
  const states: RegionState[] = [];
  for (const region of regions) {
    const path = join(root, region.file);
    const before = texts.get(path) ?? readFileSync(path, 'utf8');
    const after = replaceRegion(before, region, run, region.file);
    texts.set(path, after);
    states.push({ file: region.file, name: region.name, stale: after !== before, text: after });
  }
  return states;
}

export function readReport(root: string): RunResult {
  return readRun(join(root, reportJson));
}

/** Rewrites every stale README region from `run`; returns what changed. */
export function writeReadmes(root: string, run: RunResult): string[] {
  const changed: string[] = [];
  const last = new Map<string, string>();
  for (const state of regionStates(root, run)) {
    last.set(state.file, state.text);
    if (state.stale) changed.push(`${state.file} (${state.name})`);
  }
  for (const [file, text] of last) {
    const path = join(root, file);
    if (readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  }
  return changed;
}

function main(argv: string[]): number {
  const root = findRepoRoot();
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--' && a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`Unknown option \`${unknown[0]}\`; usage: readme [--check]\n`);
    return 2;
  }
  let run: RunResult;
  try {
    run = readReport(root);
  } catch {
    process.stderr.write(`No ${reportJson}: run \`pnpm bench:publish\` first.\n`);
    return 1;
  }
  if (check) {
    const stale = regionStates(root, run).filter((s) => s.stale);
    for (const s of stale) {
      process.stderr.write(`stale: ${s.file} (bench:${s.name}) disagrees with ${reportJson}\n`);
    }
    if (stale.length > 0) {
      process.stderr.write('Regenerate with `pnpm --filter @x/bench readme`.\n');
    }
    return stale.length > 0 ? 1 : 0;
  }
  const changed = writeReadmes(root, run);
  process.stdout.write(
    changed.length > 0 ? `updated: ${changed.join(', ')}\n` : 'README tables up to date\n',
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
