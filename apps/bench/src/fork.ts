/**
 * Each micro suite in a Node process of its own, as JMH forks a JVM per benchmark: V8 optimises a
 * function for the calls it has seen, so a suite run after others would be measured with their
 * feedback in code it shares with them (the breaker, the limiter, the pool and the token counter
 * sit inside every provider call; undici inside every raw request). Measured: the Ollama
 * whole-answer rows read 0.84-0.98x raw undici at c=1 run alone and 0.79x after the breaker,
 * tokens and cache suites in the same process. A user's process does not run our benchmarks
 * before its calls.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliOptions } from './cli';
import type { SuiteResult } from './results';

/** What a child hands back: its suite's result, and what it learnt of the machine. */
export interface ChildReport {
  suite: SuiteResult;
  failed: boolean;
  notes: string[];
  redisServer?: string | undefined;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The flags that make a child measure as this run does: profile, samples, time, seed, output. */
function childArgs(cli: CliOptions, outDir: string): string[] {
  return [
    `--${cli.profile.name}`,
    '--samples',
    String(cli.profile.samples),
    '--time',
    String(cli.profile.sampleMs),
    '--seed',
    String(cli.seed),
    ...(cli.write ? ['--out', outDir] : ['--no-write']),
  ];
}

/**
 * Runs suite `name` in a child process (this one's Node and loader flags, its output on this
 * terminal) and returns its report; a child that dies without one is a failed suite.
 */
export async function forkSuite(
  name: string,
  cli: CliOptions,
  outDir: string,
): Promise<ChildReport> {
  const dir = mkdtempSync(join(tmpdir(), 'x-bench-suite-'));
  const file = join(dir, 'result.json');
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          ...process.execArgv,
          MAIN,
          ...childArgs(cli, outDir),
          '--only',
          name,
          '--child-result',
          file,
        ],
        { stdio: 'inherit' },
      );
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
    });
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ChildReport;
    } catch {
      return {
        suite: {
          name,
          title: name,
          kind: 'micro',
          groups: [],
          notes: [],
          durationMs: 0,
          skipped: `failed: its process exited (${code}) without a result`,
        },
        failed: true,
        notes: [],
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
