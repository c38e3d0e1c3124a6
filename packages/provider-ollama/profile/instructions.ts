/**
 * The instructions a call executes, counted rather than timed: the provider and raw undici making
 * the same call, each run under valgrind's cachegrind for two numbers of calls, the difference
 * divided by the calls between them. @x/ollama-sim runs in a child process valgrind does not
 * follow. Needs valgrind (`apt install valgrind`). Run from packages/provider-ollama, built:
 *
 *   node --import tsx profile/instructions.ts --whole
 *   node --import tsx profile/instructions.ts --variants='{"tokens-off":{"tokens":false}}' --whole
 *   node --import tsx profile/instructions.ts --whole --top=30
 *   node --import tsx profile/instructions.ts --whole --js=40
 *
 * `--whole`: `completeAs: 'whole'` against the raw `stream: false` request (else the streamed
 * answer); `--calls=4000,10000`: the two call counts (the first is the warm-up both runs share);
 * `--top`: the functions that differ most between the provider and raw undici, per call. `--js`:
 * the provider alone under callgrind, its instructions by JavaScript function of our packages
 * (`jit-names.ts` says how, and how far to trust it), the N largest, per call.
 *
 * Why count: timed, two processes of the same code read 2-3 µs apart at c=1, more than most
 * changes to the pipeline are worth, and a change had to be measured many times to be seen.
 * Counted, two runs of the same build read within 1-2% of each other, and the count says where
 * the difference lies (V8's builtins by name; the JavaScript the JIT wrote as one `???`). V8's
 * optimising compiler and parser are left out: in a process of its own they run on other threads,
 * and they are run on the main thread here (`--no-concurrent-recompilation`), so that both runs
 * install the same optimised code at the same call. An instruction is
 * not a fixed time (a cache miss costs more than many instructions), so a saving is confirmed
 * with apps/bench before it is claimed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COMPILER_FUNCTIONS,
  cliArg,
  instructionsByFunction,
  runUnderValgrind,
} from '@x/internal/testing';
import { createOllamaProvider, type OllamaProviderOptions } from '@x/provider-ollama';
import { Pool } from 'undici';
import { byJsFunction } from './jit-names';
import {
  byCallers,
  MODEL,
  measuredOptions,
  messages,
  rawStreamedChat,
  rawWholeChat,
  startSimChild,
} from './setup';

const WHOLE = process.argv.includes('--whole');
const [FIRST, SECOND] = cliArg('calls', '4000,10000').split(',').map(Number) as [number, number];
const TOP = Number(cliArg('top', '0'));
const JS = Number(cliArg('js', '0'));
const variants: Record<string, OllamaProviderOptions> = JSON.parse(cliArg('variants', '{}'));
const child = cliArg('child', '');

/** In the process valgrind runs: `calls` calls of one subject, one at a time. */
async function callMany(subject: string, url: string, calls: number): Promise<void> {
  if (subject === 'raw') {
    const pool = new Pool(url, { connections: 16 });
    await byCallers(WHOLE ? rawWholeChat(pool) : rawStreamedChat(pool), 1, calls);
    await pool.close();
    return;
  }
  const provider = createOllamaProvider({
    ...measuredOptions(url, WHOLE),
    ...(variants[subject] ?? {}),
  });
  await provider.initialize();
  await byCallers(() => provider.complete({ model: MODEL, messages }), 1, calls);
  await provider.close();
}

/**
 * Runs this script under valgrind for one subject and call count; its counts by function: native
 * functions under cachegrind, or JavaScript functions under callgrind with `--js`.
 */
function underValgrind(subject: string, url: string, calls: number, dir: string) {
  const out = join(dir, `${subject}.${calls}`);
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--child='));
  const tool =
    JS > 0
      ? [
          '--tool=callgrind',
          '--dump-instr=yes',
          '--compress-strings=no',
          '--compress-pos=no',
          `--callgrind-out-file=${out}`,
        ]
      : ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`];
  const run = runUnderValgrind(tool, process.execPath, [
    // Optimised code installed at the same call in both runs, not whenever a background
    // thread finishes under valgrind's one-thread-at-a-time scheduling.
    '--no-concurrent-recompilation',
    ...(JS > 0 ? ['--perf-basic-prof'] : []),
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...args,
    `--child=${subject}`,
    `--url=${url}`,
    `--n=${calls}`,
  ]);
  // The guest keeps valgrind's pid: its perf map is /tmp/perf-<pid>.map.
  return run.done.then(() => (JS > 0 ? byJsFunction(out, run.pid) : instructionsByFunction(out)));
}

/** Per call between the two counts, by function. */
function perCall(first: Map<string, number>, second: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const fn of new Set([...first.keys(), ...second.keys()])) {
    out.set(fn, ((second.get(fn) ?? 0) - (first.get(fn) ?? 0)) / (SECOND - FIRST));
  }
  return out;
}

/** A subject's counts per call between FIRST and SECOND calls, by function. */
async function countedPerCall(subject: string, url: string, dir: string) {
  // The two counts at once: two cores, and valgrind runs one thread a process.
  const [first, second] = await Promise.all([
    underValgrind(subject, url, FIRST, dir),
    underValgrind(subject, url, SECOND, dir),
  ]);
  return perCall(first, second);
}

/** The count of a subject, V8's optimising compiler and parser left out (see the header). */
function counted(fns: Map<string, number>): number {
  let total = 0;
  for (const [fn, n] of fns) if (!COMPILER_FUNCTIONS.test(fn)) total += n;
  return total;
}

if (child !== '') {
  await callMany(child, cliArg('url', ''), Number(cliArg('n', '0')));
  process.exit(0);
} else {
  const sim = await startSimChild();
  const dir = mkdtempSync(join(tmpdir(), 'instructions-'));
  try {
    if (JS > 0) {
      const ours = [...(await countedPerCall('default', sim.url, dir))]
        .filter(([fn]) => fn.includes('/packages/'))
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
        .slice(0, JS);
      console.log(
        `instructions per call by JavaScript function of our packages (${WHOLE ? 'whole' : 'streamed'}):`,
      );
      for (const [fn, n] of ours) console.log(`  ${n.toFixed(0).padStart(7)}  ${fn.slice(0, 150)}`);
    } else {
      const subjects = ['raw', 'default', ...Object.keys(variants)];
      const results = new Map<string, Map<string, number>>();
      for (const subject of subjects) {
        results.set(subject, await countedPerCall(subject, sim.url, dir));
      }
      const raw = counted(results.get('raw')!);
      const how = WHOLE ? "completeAs: 'whole'" : 'streamed';
      console.log(`instructions per call (${how}, calls ${FIRST} to ${SECOND}):`);
      console.log(`  raw undici       ${raw.toFixed(0)}`);
      for (const subject of subjects.slice(1)) {
        const n = counted(results.get(subject)!);
        console.log(
          `  ${subject.padEnd(16)} ${n.toFixed(0)} (${(n - raw).toFixed(0)} over raw undici)`,
        );
      }
      if (TOP > 0) {
        const ours = results.get('default')!;
        const rawFns = results.get('raw')!;
        const diff = [...new Set([...ours.keys(), ...rawFns.keys()])]
          .filter((fn) => !COMPILER_FUNCTIONS.test(fn))
          .map((fn) => [fn, (ours.get(fn) ?? 0) - (rawFns.get(fn) ?? 0)] as const)
          .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
          .slice(0, TOP);
        console.log('\nthe functions that differ most, default minus raw undici, per call:');
        for (const [fn, n] of diff)
          console.log(`  ${n.toFixed(0).padStart(7)}  ${fn.slice(0, 110)}`);
      }
    }
  } finally {
    sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
