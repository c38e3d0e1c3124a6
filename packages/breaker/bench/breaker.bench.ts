/**
 * Closed path (a call that succeeds) and open path (a call refused at once) of @x/breaker, side by
 * side with a bare call, cockatiel 3 and opossum 9, in one process run.
 *
 *   pnpm bench            # 5 interleaved rounds, median per task
 *   pnpm bench --quick    # one short round, for a smoke run
 *   pnpm bench --wall     # wall-clock instead of CPU time
 *
 * Each task iteration runs BATCH sequential awaited calls, so the timer's own cost is spread over
 * many calls; the reported per-call time is the iteration time divided by BATCH.
 */
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { Bench } from 'tinybench';
import { createBreaker } from '../src/index';

const quick = process.argv.includes('--quick');
const wall = process.argv.includes('--wall');
const BATCH = 1000;

// CPU time of this process (microseconds, via getrusage) rather than wall time: the machine this
// runs on is shared, and time spent descheduled would otherwise inflate cheap tasks the most and
// skew the ratios. `--wall` measures wall-clock time instead.
const cpuClock = {
  name: 'process.cpuUsage',
  fn: (): number => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  },
  fromMs: (ms: number): number => ms * 1000,
  toMs: (us: number | bigint): number => Number(us) / 1000,
};
const fn = (): Promise<number> => Promise.resolve(1);
const fail = (): Promise<never> => Promise.reject(new Error('down'));

// --- subjects, configured alike: 5 consecutive failures open, 30 s open period, no call timeout.
const ours = createBreaker({ failureThreshold: 5, openTimeoutMs: 30_000 });
const cockatiel = circuitBreaker(handleAll, {
  halfOpenAfter: 30_000,
  breaker: new ConsecutiveBreaker(5),
});
// opossum's default 10 s per-call timeout would add a timer per call; turn it off to compare
// like with like (the per-call cost of opossum with its defaults is higher still).
const opossumOptions = { timeout: false as const, resetTimeout: 30_000, volumeThreshold: 0 };
const opossum = new Opossum(fn, opossumOptions);

const oursOpen = createBreaker({ failureThreshold: 5, openTimeoutMs: 2 ** 31 - 1 });
oursOpen.open();
const cockatielOpen = circuitBreaker(handleAll, {
  halfOpenAfter: 1e12,
  breaker: new ConsecutiveBreaker(5),
});
const opossumOpen = new Opossum(fn, { ...opossumOptions, resetTimeout: 2 ** 31 - 1 });
opossumOpen.open();

async function tripCockatiel(): Promise<void> {
  for (let i = 0; i < 5; i++) await cockatielOpen.execute(fail).catch(() => {});
  if (cockatielOpen.state !== 1 /* CircuitState.Open */)
    throw new Error(`cockatiel did not open (state ${cockatielOpen.state})`);
}

const opossumDefaults = new Opossum(fn); // 10 s timeout: a timer per call
const oursWindow = createBreaker({
  failureThreshold: 5,
  openTimeoutMs: 30_000,
  window: { type: 'count', size: 100 },
});

// Several rounds of all tasks, interleaved, and the median per task: the machine is shared, and
// load that drifts during one long task would otherwise skew the ratios.
const ROUNDS = quick ? 1 : 5;
const tasks: [string, () => Promise<void>][] = [
  [
    'closed: bare call',
    async () => {
      for (let i = 0; i < BATCH; i++) await fn();
    },
  ],
  [
    'closed: @x/breaker',
    async () => {
      for (let i = 0; i < BATCH; i++) await ours.execute(fn);
    },
  ],
  [
    'closed: @x/breaker + count window',
    async () => {
      for (let i = 0; i < BATCH; i++) await oursWindow.execute(fn);
    },
  ],
  [
    'closed: cockatiel',
    async () => {
      for (let i = 0; i < BATCH; i++) await cockatiel.execute(fn);
    },
  ],
  [
    'closed: opossum',
    async () => {
      for (let i = 0; i < BATCH; i++) await opossum.fire();
    },
  ],
  [
    'closed: opossum (defaults)',
    async () => {
      for (let i = 0; i < BATCH; i++) await opossumDefaults.fire();
    },
  ],
  [
    'open: @x/breaker',
    async () => {
      for (let i = 0; i < BATCH; i++) await oursOpen.execute(fn).catch(noop);
    },
  ],
  [
    'open: cockatiel',
    async () => {
      for (let i = 0; i < BATCH; i++) await cockatielOpen.execute(fn).catch(noop);
    },
  ],
  [
    'open: opossum',
    async () => {
      for (let i = 0; i < BATCH; i++) await opossumOpen.fire().catch(noop);
    },
  ],
];

function noop(): void {}

await tripCockatiel();
const samples = new Map<string, number[]>();
const rme = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    name: '@x/breaker',
    time: quick ? 150 : 250,
    warmupTime: quick ? 50 : 60,
    timestampProvider: wall ? 'performanceNow' : cpuClock,
  });
  for (const [name, task] of tasks) bench.add(name, task);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const list = samples.get(task.name) ?? [];
    list.push((result.period * 1e6) / BATCH);
    samples.set(task.name, list);
    rme.set(task.name, Math.max(rme.get(task.name) ?? 0, result.latency.rme));
  }
}
opossumDefaults.shutdown();

interface Row {
  task: string;
  'ops/s': string;
  'ns/call': string;
  'overhead ns/call': string;
  'max ± %': string;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const nsPerCall = new Map<string, number>();
for (const [name, list] of samples) nsPerCall.set(name, median(list));
const ns = (name: string): number => nsPerCall.get(name)!;
const bare = ns('closed: bare call');
const rows: Row[] = tasks.map(([name]) => {
  const perCall = ns(name);
  const closed = name.startsWith('closed');
  return {
    task: name,
    'ops/s': Math.round(1e9 / perCall).toLocaleString('en-US'),
    'ns/call': perCall.toFixed(1),
    'overhead ns/call': closed ? (perCall - bare).toFixed(1) : '-',
    'max ± %': rme.get(name)!.toFixed(1),
  };
});
console.log(
  `Node ${process.version}, ${quick ? 'quick' : 'full'} run, ${new Date().toISOString()}`,
);
console.table(rows);

const ratio = (a: string, b: string): string => (ns(b) / ns(a)).toFixed(2);
const verdict = (value: string, target: number): string =>
  `${value}x (target >= ${target}x: ${Number(value) >= target ? 'met' : 'MISSED'})`;
console.log('Throughput ratios (higher is better for @x/breaker):');
console.log(
  `  closed vs cockatiel: ${verdict(ratio('closed: @x/breaker', 'closed: cockatiel'), 2)}`,
);
console.log(`  closed vs opossum:   ${verdict(ratio('closed: @x/breaker', 'closed: opossum'), 6)}`);
console.log(
  `  closed vs opossum with its defaults (per-call timer): ${ratio('closed: @x/breaker', 'closed: opossum (defaults)')}x`,
);
console.log(`  open   vs cockatiel: ${verdict(ratio('open: @x/breaker', 'open: cockatiel'), 4)}`);
console.log(`  open   vs opossum:   ${verdict(ratio('open: @x/breaker', 'open: opossum'), 4)}`);
console.log(
  `  closed vs bare call: ${ratio('closed: @x/breaker', 'closed: bare call')}x (overhead ${(ns('closed: @x/breaker') - bare).toFixed(1)} ns/call)`,
);

console.log('\nMarkdown (for the README):\n');
console.log('| task | ops/s | ns/call | overhead vs bare call |');
console.log('|---|---:|---:|---:|');
for (const row of rows)
  console.log(`| ${row.task} | ${row['ops/s']} | ${row['ns/call']} | ${row['overhead ns/call']} |`);
