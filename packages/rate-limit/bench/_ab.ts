// temporary A/B harness (not committed): old (baseline commit) vs new src, same process, interleaved
import { Bench } from 'tinybench';
import * as NEW from '../src/index';
import * as OLD from './_old/index';

const BIG = 1e12;
const N = 1000;
function make(m: typeof OLD | typeof NEW) {
  const bucket = m.createTokenBucket({ ratePerSecond: BIG, capacity: BIG });
  const keyed = m.createRateLimiter({
    limits: { requests: { ratePerSecond: BIG, capacity: BIG } },
  });
  const options = { signal: new AbortController().signal, timeoutMs: 5000 };
  return {
    'bucket.tryAcquire()': () => {
      for (let i = 0; i < N; i++) bucket.tryAcquire(1);
    },
    'bucket.acquire()': async () => {
      for (let i = 0; i < N; i++) await bucket.acquire(1);
    },
    'bucket.acquire(1, opts)': async () => {
      for (let i = 0; i < N; i++) await bucket.acquire(1, options);
    },
    'keyed.tryAcquire(k)': async () => {
      for (let i = 0; i < N; i++) await keyed.tryAcquire('k');
    },
    'keyed.acquire(k)': async () => {
      for (let i = 0; i < N; i++) await keyed.acquire('k');
    },
    'keyed.acquire(k, undefined, opts)': async () => {
      for (let i = 0; i < N; i++) await keyed.acquire('k', undefined, options);
    },
  } as Record<string, () => unknown>;
}
const o = make(OLD),
  n = make(NEW);
const only = process.env.ONLY;
for (const k of Object.keys(o))
  if (only && !k.includes(only)) {
    delete o[k];
    delete n[k];
  }
const best = new Map<string, number>();
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  for (const name of Object.keys(o)) {
    const bench = new Bench({ time: 300, warmupTime: 100 });
    const pair: [string, () => unknown][] = [
      [`old ${name}`, o[name]!],
      [`new ${name}`, n[name]!],
    ];
    if (round % 2) pair.reverse();
    for (const [k, fn] of pair) bench.add(k, fn);
    await bench.run();
    for (const t of bench.tasks) {
      const v = (t.result as { throughput: { mean: number } }).throughput.mean * N;
      best.set(t.name, Math.max(best.get(t.name) ?? 0, v));
    }
  }
}
for (const name of Object.keys(o)) {
  const a = best.get(`old ${name}`)!,
    b = best.get(`new ${name}`)!;
  console.log(
    name.padEnd(36),
    Math.round(a).toLocaleString().padStart(12),
    Math.round(b).toLocaleString().padStart(12),
    `new/old ${(b / a).toFixed(3)}`,
  );
}
