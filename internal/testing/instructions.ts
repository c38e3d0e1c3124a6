/**
 * Instructions counted rather than time measured, for the packages' profile drivers: a process run
 * under valgrind's cachegrind (`apt install valgrind`), its total read from the output file. Two
 * runs of the same work at two sizes, differenced, give the instructions of one unit without the
 * start-up both share. Counts repeat within 1-2% whatever else the machine does, where a timed
 * figure on a shared 2-core machine does not; an instruction is not a fixed time, so a saving is
 * still confirmed with apps/bench before it is claimed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Flags for a Node.js process counted under valgrind: the optimising compiler and the garbage
 * collector on the main thread, so that two runs install the same optimised code at the same
 * call instead of whenever a background thread gets valgrind's one-thread-at-a-time turn.
 */
export const COUNTED_NODE_FLAGS: readonly string[] = ['--single-threaded'];

/** A process run under valgrind: its pid (a guest keeps valgrind's) and its end. */
export interface ValgrindRun {
  readonly pid: number;
  /** Settles when the process has ended: rejects when valgrind is missing or it failed. */
  readonly done: Promise<void>;
}

/**
 * Runs `command` under valgrind with `toolArgs` (the tool, its output file...): the one place the
 * profile drivers start valgrind. The process's output is kept (its tail) for the error message.
 */
export function runUnderValgrind(
  toolArgs: readonly string[],
  command: string,
  args: readonly string[],
): ValgrindRun {
  const proc = spawn('valgrind', [...toolArgs, command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const done = new Promise<void>((resolve, reject) => {
    proc.on('error', (error) =>
      reject(new Error(`valgrind could not start (apt install valgrind): ${error.message}`)),
    );
    proc.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} under valgrind ended with ${code ?? signal}\n${output}`));
    });
  });
  return { pid: proc.pid ?? -1, done };
}

/** A process started under cachegrind: `exited` is its total instruction count once it ends. */
export interface CountedProcess {
  readonly pid: number;
  readonly exited: Promise<number>;
}

/** Starts `command` under cachegrind, for its total instruction count. */
export function startCounted(command: string, args: readonly string[]): CountedProcess {
  const dir = mkdtempSync(join(tmpdir(), 'counted-'));
  const out = join(dir, 'cachegrind.out');
  const run = runUnderValgrind(
    ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`],
    command,
    args,
  );
  const exited = run.done
    .then(() => {
      const summary = /^summary: (\d+)/m.exec(readFileSync(out, 'utf8'));
      if (summary === null) throw new Error(`no summary line in ${command}'s cachegrind output`);
      return Number(summary[1]);
    })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
  return { pid: run.pid, exited };
}

/**
 * Instructions per unit of work: `count(first)` and `count(second)` (each the total of one counted
 * run doing that many units), differenced and divided by the units between them. The two runs go
 * at once: valgrind runs one thread a process, and the machine has two cores.
 */
export async function perUnit(
  count: (units: number) => Promise<number>,
  first: number,
  second: number,
): Promise<number> {
  const [a, b] = await Promise.all([count(first), count(second)]);
  return (b - a) / (second - first);
}
