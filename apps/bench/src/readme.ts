/**
 * Regenerates the measured-ratios table of the root README.md (between `<!-- bench:start -->`
 * and `<!-- bench:end -->`) from bench-results/report.md. Nothing else in the README is touched.
 *
 *   pnpm --filter @x/bench readme [--report <file>] [--readme <file>]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findRepoRoot } from './env';
import { ratiosEnd, ratiosStart } from './report/markdown';

export const readmeStart = '<!-- bench:start -->';
export const readmeEnd = '<!-- bench:end -->';

function between(text: string, start: string, end: string, what: string): string {
  const a = text.indexOf(start);
  const b = text.indexOf(end, a + start.length);
  if (a < 0 || b < 0) throw new Error(`${what}: markers \`${start}\` ... \`${end}\` not found`);
  return text.slice(a + start.length, b);
}

/** The README region built from a report: where it came from, then the ratio table. */
export function readmeRegion(report: string): string {
  const table = between(report, ratiosStart, ratiosEnd, 'report.md').trim();
  const generated = /^Generated (.+?) by `([^`]+)` \(profile `([^`]+)`/m.exec(report);
  const node = /^\|\s*Node\s*\|\s*(v[\d.]+)/m.exec(report)?.[1];
  const cpu = /^\|\s*CPU\s*\|\s*([^|]+?)\s*\|/m.exec(report)?.[1];
  const load = /^\|\s*load average at start\s*\|\s*([^|]+?)\s*\|/m.exec(report)?.[1];
  const lines: string[] = [];
  if (generated) {
    const [, date, command] = generated;
    lines.push(
      `Measured ${date} with \`${command}\`${node ? ` on Node ${node}` : ''}${cpu ? `, ${cpu}` : ''}${
        load ? ` (load average ${load})` : ''
      }; ours ÷ theirs in operations per second, above 1x means the @x package is faster. ` +
        'Full report with the load scenarios and charts: [bench-results/report.md](bench-results/report.md). ' +
        'Refresh this table with `pnpm --filter @x/bench readme`.',
    );
  }
  lines.push('', table);
  return `\n${lines.join('\n')}\n`;
}

/** Replaces only the marked region of the README. Throws when the markers are missing. */
export function updateReadme(readme: string, report: string): string {
  const a = readme.indexOf(readmeStart);
  const b = readme.indexOf(readmeEnd, a + readmeStart.length);
  if (a < 0 || b < 0) {
    throw new Error(`README.md: markers \`${readmeStart}\` ... \`${readmeEnd}\` not found`);
  }
  return readme.slice(0, a + readmeStart.length) + readmeRegion(report) + readme.slice(b);
}

function main(argv: string[]): number {
  const root = findRepoRoot();
  let reportFile = join(root, 'bench-results', 'report.md');
  let readmeFile = join(root, 'README.md');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--report' && argv[i + 1]) reportFile = resolve(argv[++i]!);
    else if (argv[i] === '--readme' && argv[i + 1]) readmeFile = resolve(argv[++i]!);
    else if (argv[i] !== '--') {
      process.stderr.write(
        `Unknown option \`${argv[i]}\`; usage: readme [--report <file>] [--readme <file>]\n`,
      );
      return 2;
    }
  }
  let report: string;
  try {
    report = readFileSync(reportFile, 'utf8');
  } catch {
    process.stderr.write(`No report at ${reportFile}: run \`pnpm bench --quick\` first.\n`);
    return 1;
  }
  const before = readFileSync(readmeFile, 'utf8');
  const after = updateReadme(before, report);
  if (after !== before) writeFileSync(readmeFile, after);
  process.stdout.write(
    `${after === before ? 'unchanged' : 'updated'}: ${readmeFile} (ratios from ${reportFile})\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
