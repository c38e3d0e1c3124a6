/**
 * Instructions counted rather than time measured, for the packages' profile drivers: a process run
 * under valgrind's cachegrind (`apt install valgrind`), its total read from the output file. Two
 * runs of the same work at two sizes, differenced, give the instructions of one unit without the
 * start-up both share. Counts of units of tens of thousands of instructions repeat within 1-2%
 * whatever else the machine does, where a timed figure on a shared 2-core machine does not; for
 * units of about a thousand, leave V8's compiler and collector out ({@link startCounted}'s
 * `leaveOut`). An instruction is not a fixed time, so a saving is still confirmed with apps/bench
 * before it is claimed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Flags for a Node.js process counted under valgrind: the optimising compiler and the garbage
 * collector on the main thread, so that two runs install the same optimised code at the same
 * call instead of whenever a background thread gets valgrind's one-thread-at-a-time turn.
 */
const COUNTED_NODE_FLAGS: readonly string[] = ['--single-threaded'];

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

/**
 * V8's optimising compiler and parser (mangled C++ names): they run whenever a function's
 * feedback says so, and two runs of the same work compile at different points, so what they cost
 * between two call counts differs from run to run by more than a small call costs.
 */
export const COMPILER_FUNCTIONS = /compiler|Zone|Parser|AstValue|sprp/;

/**
 * V8's garbage collector (scavenges, marking, sweeping, and the write barrier's slow path while
 * marking runs): it collects when a space fills, so two runs pay a different share of a
 * collection between their two call counts. Leaving it out also leaves out what an allocation
 * costs later; the allocation itself is still counted.
 */
export const COLLECTOR_FUNCTIONS =
  /Scaveng|MarkingVisitor|MarkCompact|MarkingWorklist|Sweeper|RecordWrite|RecordMigrated|Evacuat|heap::base/;

/** Instructions by function in a cachegrind output file (`fn=` then `<line> <count>` lines). */
export function instructionsByFunction(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  let fn = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = line.slice(3);
    else if (fn !== '' && line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
      const count = Number(line.slice(line.indexOf(' ') + 1));
      counts.set(fn, (counts.get(fn) ?? 0) + count);
    }
  }
  return counts;
}

/** A process started under cachegrind: `exited` is its instruction count once it ends. */
export interface CountedProcess {
  readonly pid: number;
  readonly exited: Promise<number>;
}

/**
 * Starts `command` under cachegrind, for its total instruction count, or with `leaveOut`, the
 * count of every function whose name does not match one of its patterns.
 */
export function startCounted(
  command: string,
  args: readonly string[],
  leaveOut: readonly RegExp[] = [],
): CountedProcess {
  const dir = mkdtempSync(join(tmpdir(), 'counted-'));
  const out = join(dir, 'cachegrind.out');
  const run = runUnderValgrind(
    ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`],
    command,
    args,
  );
  const exited = run.done
    .then(() => {
      if (leaveOut.length > 0) {
        let total = 0;
        for (const [fn, n] of instructionsByFunction(out)) {
          if (!leaveOut.some((pattern) => pattern.test(fn))) total += n;
        }
        return total;
      }
      const summary = /^summary: (\d+)/m.exec(readFileSync(out, 'utf8'));
      if (summary === null) throw new Error(`no summary line in ${command}'s cachegrind output`);
      return Number(summary[1]);
    })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
  return { pid: run.pid, exited };
}

/**
 * A profile driver counting one of its own subjects: `script` (the driver's `import.meta.url`) run
 * again under cachegrind with `--child=<subject> --n=<units>` and Node's flags for a counted
 * process; the result counts a run of `units` units, for {@link perUnit}.
 */
export function countedChild(
  script: string,
  subject: string,
  leaveOut: readonly RegExp[] = [],
): (units: number) => Promise<number> {
  return (units) =>
    startCounted(
      process.execPath,
      [
        ...COUNTED_NODE_FLAGS,
        ...process.execArgv,
        fileURLToPath(script),
        `--child=${subject}`,
        `--n=${units}`,
      ],
      leaveOut,
    ).exited;
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
