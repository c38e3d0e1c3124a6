/**
 * The benchmark and load-test harness: every @x package side by side with the library users
 * would otherwise pick, then load scenarios against @x/ollama-sim. Writes run.json, report.md
 * and SVG charts to apps/bench/runs/<timestamp>/ (untracked); `--publish` then makes that run
 * the committed report (bench-results/) and regenerates the README tables from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs, usage } from './cli';
import { type BenchContext, chartWriter, type RedisHandle } from './context';
import { appDir, collectEnvironment, findRepoRoot } from './env';
import { type ChildReport, forkSuite } from './fork';
import { medianRun } from './median-run';
import { loadWarning, markInconclusive } from './noise';
import { publishRun } from './publish';
import { scenarios, select, suites, unknownNames } from './registry';
import { renderReport } from './report/markdown';
import type { RunResult, ScenarioResult, SuiteResult } from './results';
import { settleLoad } from './settle';
import { readRun } from './stored-run';
import { describe, isMissingModule, notBuilt, runSuite } from './suite-run';
import { bold, dim, scenarioText, suiteText, summaryText } from './terminal/print';
import { createProgress } from './terminal/progress';

function commandLine(argv: string[]): string {
  const args = argv.filter((a) => a !== '--' && a !== '--publish');
  return [argv.includes('--publish') ? 'pnpm bench:publish' : 'pnpm bench', ...args].join(' ');
}

/** `2026-12-03T04-10-00Z`: a folder name that sorts by time. */
function stampOf(iso: string): string {
  return iso.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
}

export async function main(argv: string[]): Promise<number> {
  let cli: ReturnType<typeof parseArgs>;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (cli.list) {
    for (const e of [...suites, ...scenarios]) {
      process.stdout.write(`${e.name.padEnd(18)} ${e.kind.padEnd(6)} ${e.summary}\n`);
    }
    return 0;
  }
  const unknown = unknownNames([...cli.only, ...cli.skip]);
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown suite or scenario: ${unknown.join(', ')} (see \`pnpm bench --list\`)\n`,
    );
    return 2;
  }

  if (cli.from) {
    const file = resolve(cli.from);
    const saved = readRun(file);
    const dir = resolve(cli.outDir ?? dirname(file));
    writeFileSync(join(dir, 'report.md'), renderReport(saved));
    process.stdout.write(
      `${summaryText(saved.suites)}\n\n${bold('written')} ${join(dir, 'report.md')}\n`,
    );
    return 0;
  }

  const root = findRepoRoot();
  const startedAt = new Date();
  const outDir = resolve(cli.outDir ?? join(appDir, 'runs', stampOf(startedAt.toISOString())));
  if (cli.write) mkdirSync(outDir, { recursive: true });
  if (cli.publish) {
    // the build this command ran first is load too: let it pass, so that it does not void the run
    await settleLoad({
      onWait: (load, waitedMs) => {
        if (waitedMs === 0)
          process.stdout.write(
            `waiting for the load average (${load.toFixed(2)}) to fall to the core count before measuring (at most 3 min)\n`,
          );
      },
    });
  }
  const t0 = performance.now();
  const environment = collectEnvironment();
  const noiseWarning = loadWarning(environment);
  const progress = createProgress();
  const notes: string[] = [];
  let failed = false;

  let redis: Promise<RedisHandle | undefined> | undefined;
  let stopRedis: (() => Promise<void>) | undefined;
  const ctx: BenchContext = {
    profile: cli.profile,
    cli,
    progress,
    outDir,
    write: cli.write,
    chart: chartWriter(outDir, cli.write),
    redis() {
      redis ??= (async () => {
        try {
          // test tooling shared by the repository: a real redis-server on a free loopback port
          const { startRedisServer } = await import('../../../scripts/testing/redis-server');
          const server = await startRedisServer();
          stopRedis = server.stop;
          let version = 'unknown';
          try {
            version = execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'])
              .toString()
              .trim();
            version = /v=(\S+)/.exec(version)?.[1] ?? version;
          } catch {}
          environment.redisServer = version;
          return { url: server.url, version };
        } catch (e) {
          const note = `Redis comparisons skipped: ${describe(e).split('. ')[0]}`;
          notes.push(note);
          progress.log(dim(`  ${note}`));
          return undefined;
        }
      })();
      return redis;
    },
  };

  if (cli.childResult === undefined) {
    process.stdout.write(
      `${bold('@x bench')} ${dim(`profile ${cli.profile.name} · Node ${environment.node} · ${environment.cpuModel} × ${environment.cpuCount} · load ${environment.loadAverage.join(' ')}`)}\n`,
    );
    if (noiseWarning) process.stdout.write(`${bold('warning:')} ${noiseWarning}\n`);
  }

  const selected = select(suites, cli.only, cli.skip);
  if (cli.childResult !== undefined) {
    // A child of fork.ts: the one suite it was given, its report to the parent, nothing else.
    const entry = selected[0];
    if (entry === undefined || selected.length !== 1) {
      process.stderr.write('`--child-result` runs exactly one suite (`--only <suite>`)\n');
      return 2;
    }
    const { result, failed: childFailed } = await runSuite(entry, ctx);
    await stopRedis?.();
    const report: ChildReport = {
      suite: result,
      failed: childFailed,
      notes,
      redisServer: environment.redisServer,
    };
    writeFileSync(cli.childResult, JSON.stringify(report));
    return childFailed ? 1 : 0;
  }
  const rounds: SuiteResult[][] = [];
  for (let round = 1; round <= cli.runs; round++) {
    if (cli.runs > 1) process.stdout.write(`${bold(`round ${round} of ${cli.runs}`)}\n`);
    const results: SuiteResult[] = [];
    for (const entry of selected) {
      let result: SuiteResult;
      if (cli.inProcess) {
        const ran = await runSuite(entry, ctx);
        result = ran.result;
        failed ||= ran.failed;
      } else {
        const child = await forkSuite(entry.name, cli, outDir);
        result = child.suite;
        failed ||= child.failed;
        notes.push(...child.notes);
        if (child.redisServer !== undefined) environment.redisServer = child.redisServer;
      }
      // before it is printed, so no ✓/✗ of a noisy comparison reaches the terminal
      markInconclusive([result], environment);
      results.push(result);
      process.stdout.write(`${suiteText(result)}\n`);
    }
    rounds.push(results);
  }
  const suiteResults = cli.runs === 1 ? rounds[0]! : medianRun(rounds);
  if (cli.runs > 1 && suiteResults.length > 0) {
    notes.push(
      `The suites ran ${cli.runs} times, one round after another; each group is shown as measured in the round where its first targeted ratio (else its first ratio) was the median of the ${cli.runs}, so its ratios, figures, facts and checks come from one measurement. The charts are the last round's.`,
    );
  }

  const scenarioResults: ScenarioResult[] = [];
  for (const entry of select(scenarios, cli.only, cli.skip)) {
    const s0 = performance.now();
    let result: ScenarioResult;
    try {
      const scenario = await entry.load();
      const r = await scenario.run(ctx);
      result = { name: entry.name, title: scenario.title, kind: 'load', ...r, durationMs: 0 };
    } catch (e) {
      progress.done();
      const missing = isMissingModule(e);
      if (!missing) failed = true;
      result = {
        name: entry.name,
        title: entry.name,
        kind: 'load',
        description: entry.summary,
        params: {},
        metrics: {},
        tables: [],
        charts: [],
        notes: [],
        skipped: missing ? notBuilt(e) : `failed: ${describe(e)}`,
        durationMs: 0,
      };
    }
    result.durationMs = Math.round(performance.now() - s0);
    scenarioResults.push(result);
    process.stdout.write(`${scenarioText(result)}\n`);
  }

  await stopRedis?.();

  const run: RunResult = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
    profile: cli.profile.name,
    runs: cli.runs,
    command: commandLine(argv),
    environment,
    suites: suiteResults,
    scenarios: scenarioResults,
    notes: [...new Set(notes)],
    ...(noiseWarning ? { noiseWarning } : {}),
  };
  process.stdout.write(`${summaryText(suiteResults)}\n`);
  if (cli.profile.name === 'quick') {
    // A ✗ here is a short sample, often on a busy machine, not a regression by itself.
    process.stdout.write(
      `${dim('A --quick run takes 3 short samples a case: ratios move by tens of percent from run to run, more on a busy machine. The published figures come from `pnpm bench:publish` (three rounds, medians) on an idle one.')}\n`,
    );
  }
  if (cli.write) {
    const jsonFile = join(outDir, 'run.json');
    writeFileSync(jsonFile, `${JSON.stringify(run, null, 2)}\n`);
    writeFileSync(join(outDir, 'report.md'), renderReport(run));
    // relative to where the user typed the command: pnpm runs the script in apps/bench and says
    // where it was started in INIT_CWD
    const rel = (p: string) => {
      const r = relative(process.env.INIT_CWD ?? process.cwd(), p);
      return r && !r.startsWith('..') ? r : p;
    };
    process.stdout.write(
      `\n${bold('written')} ${rel(jsonFile)}, ${rel(join(outDir, 'report.md'))} ${dim(`(${(run.durationMs / 1000).toFixed(1)} s)`)}\n`,
    );
  }
  if (failed) process.stderr.write('Some suites or scenarios failed; see above.\n');
  if (cli.publish) {
    if (failed) {
      process.stderr.write('Not published: a suite or scenario failed.\n');
      return 1;
    }
    for (const line of publishRun(outDir, root)) process.stdout.write(`${line}\n`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
