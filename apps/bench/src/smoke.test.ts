import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { appDir } from './env';
import type { RunResult } from './results';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'x-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('pnpm bench --smoke', () => {
  it('writes the JSON results, the report and every chart it links when run end to end', async () => {
    const { stdout } = await run(
      process.execPath,
      // install-size runs npm against the registry: it has its own run in the full bench
      [
        '--import',
        'tsx',
        join(appDir, 'src/main.ts'),
        '--smoke',
        '--skip',
        'install-size',
        '--out',
        out,
      ],
      { cwd: appDir, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 },
    );
    expect(stdout).toContain('profile smoke');
    expect(stdout).toContain('@x/breaker');

    expect(readdirSync(out)).toContain('run.json');
    const result = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunResult;
    expect(result.schema).toBe(1);
    expect(result.profile).toBe('smoke');
    expect(result.environment.node).toBe(process.version);
    expect(result.environment.packages.opossum).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.suites.map((s) => s.name)).toContain('breaker');
    for (const suite of result.suites) {
      expect(suite.skipped, `${suite.name} skipped`).toBeUndefined();
      for (const group of suite.groups) {
        for (const row of group.rows) {
          expect(row.error, `${suite.name}/${row.name}`).toBeUndefined();
          expect(row.opsPerSec).toBeGreaterThan(0);
          expect(row.samples.length).toBe(2);
        }
      }
    }

    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('# Benchmark report');
    expect(report).toContain('<!-- ratios:start -->');
    expect(report).toMatch(
      new RegExp(`\\|\\s*Node\\s*\\|\\s*${process.version.replace(/\./g, '\\.')}`),
    );
    expect(report).toMatch(/Packages: .*opossum \d/);
    for (const [, file] of report.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)) {
      expect(existsSync(join(out, file!)), file).toBe(true);
      expect(readFileSync(join(out, file!), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
  }, 180_000);

  it('exits with 2 and names the option when an option is unknown', async () => {
    const err = await run(
      process.execPath,
      ['--import', 'tsx', join(appDir, 'src/main.ts'), '--bogus'],
      {
        cwd: appDir,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('Unknown option `--bogus`');
  }, 20_000);

  it('skips only the Redis row, with a note, when redis-server is missing', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(appDir, 'src/main.ts'),
        '--smoke',
        '--only',
        'rate-limit',
        '--no-write',
      ],
      {
        cwd: appDir,
        env: { ...process.env, NO_COLOR: '1', REDIS_SERVER_BIN: '/nonexistent/redis-server' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    expect(stdout).toContain('Redis row skipped: redis-server is not installed');
    expect(stdout).toContain('@x/rate-limit tryAcquire(1)');
    expect(stdout).not.toContain('RateLimiterRedis');
  }, 60_000);
});
