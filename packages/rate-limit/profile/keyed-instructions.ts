/**
 * The instructions one `tryAcquire(key)` over apps/bench's 100 000 keys executes, counted under
 * valgrind's cachegrind (two call counts, the difference divided by the calls between them), by
 * V8 function: this build beside another build's dist (`--baseline`) and beside the floor
 * (`floor-many` of `decision-instructions.ts`: the key's Map entry, its state, the clock, the
 * await). The JavaScript the JIT wrote counts as one `???`; the builtins it calls (Map lookups,
 * the clock, the await) are named, which is what tells a lookup or an allocation saved from
 * arithmetic saved. Needs valgrind. Run from packages/rate-limit, built:
 *
 *   node --import tsx profile/keyed-instructions.ts
 *   node --import tsx profile/keyed-instructions.ts --baseline=/tmp/base-dist --top=15
 *
 * The limiter refills at 0.001/s, as in `decision-instructions.ts` (why: its header). V8's
 * optimising compiler and collector are left out of the totals; an instruction is not a fixed
 * time, so a saving counted here is confirmed with apps/bench before it is claimed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  COLLECTOR_FUNCTIONS,
  COMPILER_FUNCTIONS,
  cliArg,
  instructionsByFunction,
  runUnderValgrind,
} from '@x/internal/testing';
import { createRateLimiter } from '@x/rate-limit';

const RATE = 1e9;
const KEYS = 100_000;
const [FIRST, SECOND] = cliArg('calls', '100000,300000').split(',').map(Number) as [number, number];
const TOP = Number(cliArg('top', '10'));
const baseline = cliArg('baseline', '');
const child = cliArg('child', '');
const admitted = Promise.resolve(true);
const refused = Promise.resolve(false);

/** `n` awaited calls over the 100k keys, each an admission. */
async function run(subject: string, n: number): Promise<void> {
  const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
  let decide: (key: string) => Promise<boolean>;
  if (subject === 'floor-many') {
    const index = new Map(keys.map((k, i) => [k, i]));
    const state = new Float64Array(KEYS * 2).fill(1);
    decide = (key) => {
      const slot = index.get(key);
      return slot !== undefined && state[slot * 2]! + performance.now() > 0 ? admitted : refused;
    };
  } else {
    const create: typeof createRateLimiter =
      subject === 'base-many'
        ? (await import(pathToFileURL(join(baseline, 'index.js')).href)).createRateLimiter
        : createRateLimiter;
    const limiter = create({ limits: { requests: { ratePerSecond: 0.001, capacity: RATE } } });
    for (const k of keys) await limiter.tryAcquire(k);
    decide = (key) => limiter.tryAcquire(key);
  }
  let ok = 0;
  for (let i = 0; i < n; i++) if (await decide(keys[i % KEYS]!)) ok++;
  if (ok !== n) throw new Error(`${subject}: ${n - ok} of ${n} calls refused`);
}

/** One counted run of `subject` making `n` calls: its instructions by function. */
async function counted(subject: string, n: number, dir: string): Promise<Map<string, number>> {
  const out = join(dir, `${subject}.${n}`);
  const args = process.argv.slice(2);
  await runUnderValgrind(
    ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`],
    process.execPath,
    [
      '--single-threaded',
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...args,
      `--child=${subject}`,
      `--n=${n}`,
    ],
  ).done;
  return instructionsByFunction(out);
}

if (child !== '') {
  await run(child, Number(cliArg('n', '0')));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'keyed-'));
  // The collector's functions COLLECTOR_FUNCTIONS does not name: the awaits allocate, and which
  // of the runs a collection falls in moved these by ±150 a call from run to run.
  const MORE_COLLECTOR =
    /LiveObjectRange|IterateObjectCache|MarkBit|RememberedSet|Pretenuring|SizeFromMap|ShouldBePromoted|HashSeed|MarkingBarrier|WriteBarrier|popcount|FreeList/;
  const leftOut = (fn: string) =>
    COMPILER_FUNCTIONS.test(fn) || COLLECTOR_FUNCTIONS.test(fn) || MORE_COLLECTOR.test(fn);
  try {
    const subjects = ['floor-many', ...(baseline === '' ? [] : ['base-many']), 'many'];
    const perCall = new Map<string, Map<string, number>>();
    for (const subject of subjects) {
      const [a, b] = await Promise.all([
        counted(subject, FIRST, dir),
        counted(subject, SECOND, dir),
      ]);
      const fns = new Map<string, number>();
      for (const fn of new Set([...a.keys(), ...b.keys()])) {
        if (!leftOut(fn)) fns.set(fn, ((b.get(fn) ?? 0) - (a.get(fn) ?? 0)) / (SECOND - FIRST));
      }
      perCall.set(subject, fns);
    }
    const total = (fns: Map<string, number>) => [...fns.values()].reduce((s, n) => s + n, 0);
    console.log(`instructions per tryAcquire over ${KEYS} keys (calls ${FIRST} to ${SECOND}):`);
    for (const [subject, fns] of perCall) {
      // `???`: the JavaScript the JIT wrote, where a change to our code shows
      const jit = (fns.get('???') ?? 0).toFixed(0);
      console.log(
        `  ${subject.padEnd(12)} ${total(fns).toFixed(0).padStart(5)}  (JIT code ${jit})`,
      );
    }
    const ours = perCall.get('many')!;
    for (const other of subjects.slice(0, -1)) {
      const them = perCall.get(other)!;
      const diff = [...new Set([...ours.keys(), ...them.keys()])]
        .map((fn) => [fn, (ours.get(fn) ?? 0) - (them.get(fn) ?? 0)] as const)
        .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
        .slice(0, TOP);
      console.log(`\nfunctions that differ most, many minus ${other}, per call:`);
      for (const [fn, n] of diff) console.log(`  ${n.toFixed(0).padStart(6)}  ${fn.slice(0, 100)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
