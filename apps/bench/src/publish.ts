/**
 * Makes one run the published report: copies it from apps/bench/runs/<timestamp>/ to
 * bench-results/ (report.json, report.md, the charts) and regenerates every README table from it.
 * This is the only code that writes tracked files; `pnpm bench` never does.
 *
 *   pnpm bench:publish                            # measure (full profile), then publish
 *   pnpm --filter @x/bench publish-run [run dir]  # publish a run already made (default: the newest)
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appDir, findRepoRoot } from './env';
import { writeReadmes } from './readme';
import { renderReport } from './report/markdown';
import { readRun } from './stored-run';

/** Copies the run in `runDir` to bench-results/ and regenerates the READMEs; returns log lines. */
export function publishRun(runDir: string, root: string): string[] {
  const run = readRun(join(runDir, 'run.json'));
  if (run.profile === 'smoke') throw new Error('a --smoke run is not published');
  const dest = join(root, 'bench-results');
  mkdirSync(dest, { recursive: true });
  // charts of an earlier run that this one no longer draws must not linger beside its report
  for (const f of readdirSync(dest)) if (f.endsWith('.svg')) rmSync(join(dest, f));
  for (const f of readdirSync(runDir)) {
    if (f.endsWith('.svg')) copyFileSync(join(runDir, f), join(dest, f));
  }
  writeFileSync(join(dest, 'report.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(dest, 'report.md'), renderReport(run));
  const changed = writeReadmes(root, run);
  return [
    `published ${relative(root, runDir)} to bench-results/ (report.json, report.md, charts)`,
    changed.length > 0 ? `README tables updated: ${changed.join(', ')}` : 'README tables unchanged',
  ];
}

/** The newest run folder under apps/bench/runs (names sort by time). */
export function newestRun(): string | undefined {
  const runs = join(appDir, 'runs');
  if (!existsSync(runs)) return undefined;
  const dirs = readdirSync(runs)
    .filter((d) => existsSync(join(runs, d, 'run.json')))
    .sort();
  const last = dirs.at(-1);
  return last === undefined ? undefined : join(runs, last);
}

function main(argv: string[]): number {
  const args = argv.filter((a) => a !== '--');
  const dir = args[0] ? resolve(args[0]) : newestRun();
  if (!dir || !existsSync(join(dir, 'run.json'))) {
    process.stderr.write(
      `No run to publish${dir ? ` in ${dir}` : ''}: run \`pnpm bench\` first, or \`pnpm bench:publish\`.\n`,
    );
    return 1;
  }
  for (const line of publishRun(dir, findRepoRoot())) process.stdout.write(`${line}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
