/**
 * @x/pool against raw undici, undici fetch, global fetch and axios (keep-alive agent), all against
 * one local node:http server, at concurrency 1, 16 and 64; then the connection set-up saved by
 * keep-alive (mean latency of sequential requests on a kept socket vs a new socket per request).
 *
 *   pnpm bench            # 5 interleaved rounds and 30 paired blocks, about 45 s on an idle machine
 *   pnpm bench --quick    # 1 short round, for a smoke run
 *   BENCH_DEBUG=1 pnpm bench   # also print every round's per-task period
 *
 * Every subject is limited to 20 sockets (the pool's default per host) so they do the same work.
 * The pool enforces its total cap (100) and answers from its DNS cache (`localhost`) as it would
 * in production. One task iteration sends `c` requests at once and waits for all of them; req/s is
 * `c / period`. Rounds interleave the tasks (a different seeded order each round, a GC before each
 * task) and the median per task is kept, because the machine is shared and drifting load, or a
 * peer's garbage, would otherwise skew one task. CPU µs per request (process user + system time,
 * the in-process server included) is reported beside wall time: it is less sensitive to other
 * processes competing for the cores.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { Bench } from 'tinybench';
import { Agent, Client, Pool, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { createPool } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const TIME_MS = quick ? 100 : 120;
const SOCKETS = 20;
const CONCURRENCY = [1, 16, 64];

const server = http.createServer((req, res) => {
  req.resume();
  res.setHeader('content-type', 'application/json');
  res.end('{"model":"llama3","done":true}');
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const url = `http://localhost:${port}/api/generate`;
const origin = `http://localhost:${port}`;

const ours = createPool({ connectionsPerHost: SOCKETS, maxConnections: 100 });
const rawPool = new Pool(origin, { connections: SOCKETS });
const rawAgent = new Agent({ connections: SOCKETS });
const axiosAgent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
const ax = axios.create({ httpAgent: axiosAgent, responseType: 'text' });

type Subject = [name: string, once: () => Promise<unknown>];
const subjects: Subject[] = [
  ['@x/pool pool.request', () => ours.request(url).then((r) => r.body.text())],
  [
    'undici Pool.request',
    () => rawPool.request({ path: '/api/generate', method: 'GET' }).then((r) => r.body.text()),
  ],
  [
    'undici request(url, Pool)',
    () => undiciRequest(url, { dispatcher: rawPool }).then((r) => r.body.text()),
  ],
  ['@x/pool pool.fetch', () => ours.fetch(url).then((r) => r.text())],
  ['undici fetch (Agent)', () => undiciFetch(url, { dispatcher: rawAgent }).then((r) => r.text())],
  ['global fetch', () => fetch(url).then((r) => r.text())],
  ['axios (keep-alive agent)', () => ax.get(url).then((r) => r.data)],
];

let requestsDone = 0;

function batch(once: () => Promise<unknown>, c: number): () => Promise<void> {
  return async () => {
    const all: Promise<unknown>[] = new Array(c);
    for (let i = 0; i < c; i++) all[i] = once();
    await Promise.all(all);
    requestsDone += c;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Deterministic Fisher-Yates shuffle (mulberry32), so runs are comparable. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed * 0x9e3779b9;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Measured {
  /** Median wall time of one iteration, ms. */
  period: number;
  /** Median process CPU time (user + system, server included) per request, µs. */
  cpuPerRequest: number;
}

async function periods(
  tasks: [string, () => Promise<void>][],
  time: number,
  rounds = ROUNDS,
): Promise<Map<string, Measured>> {
  const samples = new Map<string, { period: number[]; cpu: number[] }>();
  for (let round = 0; round < rounds; round++) {
    // A different order every round, so no subject always runs first, last, or right after the
    // same (garbage-heavy) peer; and a full GC before each task (when run with --expose-gc) so a
    // task does not pay for its predecessor's garbage.
    const ordered = shuffle(tasks, round + 1);
    const bench = new Bench({
      time,
      warmupTime: quick ? 20 : 30,
      iterations: 20,
      setup: () => (globalThis as { gc?: () => void }).gc?.(),
    });
    const cpu = new Map<string, number>();
    for (const [name, fn] of ordered) {
      let cpuStart = process.cpuUsage();
      let requestsStart = 0;
      bench.add(name, fn, {
        beforeAll(mode) {
          if (mode !== 'run') return;
          cpuStart = process.cpuUsage();
          requestsStart = requestsDone;
        },
        afterAll(mode) {
          if (mode !== 'run') return;
          const used = process.cpuUsage(cpuStart);
          cpu.set(name, (used.user + used.system) / Math.max(1, requestsDone - requestsStart));
        },
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { state: string; period?: number; error?: unknown };
      if (result.state !== 'completed' || result.period === undefined) {
        throw new Error(`${task.name} did not complete: ${String(result.error ?? result.state)}`);
      }
      const entry = samples.get(task.name) ?? { period: [], cpu: [] };
      entry.period.push(result.period);
      entry.cpu.push(cpu.get(task.name) ?? Number.NaN);
      if (process.env.BENCH_DEBUG) {
        console.log(round, task.name, result.period.toFixed(4), cpu.get(task.name)?.toFixed(1));
      }
      samples.set(task.name, entry);
    }
  }
  return new Map(
    [...samples].map(([name, e]) => [
      name,
      { period: median(e.period), cpuPerRequest: median(e.cpu) },
    ]),
  );
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(
  `@x/pool benchmark, ${new Date().toISOString()}, Node ${process.version}, ${ROUNDS} round(s)${quick ? ' (quick)' : ''}, gc between tasks: ${typeof (globalThis as { gc?: unknown }).gc === 'function'}`,
);
console.log(
  `one local server, ${SOCKETS} sockets per subject, URL ${url.replace(String(port), 'PORT')}\n`,
);

// Warm-up pass, discarded: JIT, first connections and the first DNS lookup would otherwise land
// on whichever subject happens to run first.
await periods(
  subjects.map(([name, once]) => [name, batch(once, 16)] as [string, () => Promise<void>]),
  quick ? 50 : 150,
  1,
);

const ratios: Record<string, Record<number, number>> = {};
const cpuRatios: Record<string, Record<number, number>> = {};
for (const c of CONCURRENCY) {
  const tasks = subjects.map(
    ([name, once]) => [name, batch(once, c)] as [string, () => Promise<void>],
  );
  const result = await periods(tasks, TIME_MS);
  const oursResult = result.get('@x/pool pool.request')!;
  const rows = subjects.map(([name]) => {
    const { period, cpuPerRequest } = result.get(name)!;
    const ratio = period / oursResult.period; // >1: @x/pool is faster than this peer
    const cpuRatio = cpuPerRequest / oursResult.cpuPerRequest; // >1: @x/pool uses less CPU
    (ratios[name] ??= {})[c] = ratio;
    (cpuRatios[name] ??= {})[c] = cpuRatio;
    return {
      subject: name,
      'req/s': fmt((c * 1000) / period),
      'mean batch ms': fmt(period, 3),
      'CPU µs/req': fmt(cpuPerRequest, 1),
      '@x/pool speed vs this': `${fmt(ratio, 2)}x`,
      '@x/pool CPU advantage': `${fmt(cpuRatio, 2)}x`,
    };
  });
  console.log(`concurrency ${c}`);
  console.table(rows);
}

// --- paired A/B against raw undici -------------------------------------------------------------
// The target (>= 0.95x raw undici) is a small difference, smaller than the drift of a shared
// machine over one tinybench task. Short blocks of N requests alternate between the two
// subjects (which one goes first alternates too) and the median of the per-pair ratios is kept:
// drift hits both halves of a pair alike and cancels out.
async function block(once: () => Promise<unknown>, c: number, n: number): Promise<number> {
  const start = performance.now();
  for (let done = 0; done < n; done += c) {
    const all: Promise<unknown>[] = new Array(c);
    for (let i = 0; i < c; i++) all[i] = once();
    await Promise.all(all);
  }
  return performance.now() - start;
}
const PAIRS = quick ? 10 : 30;
const oursOnce = subjects[0]![1];
const rawOnce = subjects[1]![1];
// A second, identical raw undici Pool measured the same way gives the noise floor of the method.
const rawPool2 = new Pool(origin, { connections: SOCKETS });
const raw2Once = () =>
  rawPool2.request({ path: '/api/generate', method: 'GET' }).then((r) => r.body.text());

async function pairedRatio(a: () => Promise<unknown>, c: number): Promise<number> {
  const n = c === 1 ? 200 : c === 16 ? 320 : 640;
  await block(a, c, n);
  await block(rawOnce, c, n);
  const pairRatios: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    let aMs: number;
    let rawMs: number;
    if (i % 2 === 0) {
      aMs = await block(a, c, n);
      rawMs = await block(rawOnce, c, n);
    } else {
      rawMs = await block(rawOnce, c, n);
      aMs = await block(a, c, n);
    }
    pairRatios.push(rawMs / aMs);
  }
  return median(pairRatios);
}

const pairedRows = [
  ['@x/pool pool.request', oursOnce],
  ['a second raw undici Pool (noise floor)', raw2Once],
] as const;
const paired = pairedRows.map(([name]) => ({ subject: name }) as Record<string, string>);
for (const c of CONCURRENCY) {
  for (let i = 0; i < pairedRows.length; i++) {
    paired[i]![`c=${c}`] = `${fmt(await pairedRatio(pairedRows[i]![1], c), 3)}x`;
  }
}
console.log(`paired A/B: speed relative to undici Pool.request (median of ${PAIRS} pairs)`);
console.table(paired);

// --- connection set-up saved -------------------------------------------------------------------
// Sequential requests, one at a time: on a kept-alive socket vs a new socket per request.
// `reset: true` makes undici send `connection: close` and open a new socket for the next request;
// "new Client per request" also pays the OS resolver (no DNS cache) and client construction.
const setup = await periods(
  [
    ['pooled (keep-alive)', batch(() => ours.request(url).then((r) => r.body.text()), 1)],
    [
      'new socket per request',
      batch(() => ours.request(url, { reset: true }).then((r) => r.body.text()), 1),
    ],
    [
      'new Client per request',
      batch(async () => {
        const client = new Client(origin);
        try {
          const r = await client.request({ path: '/api/generate', method: 'GET' });
          await r.body.text();
        } finally {
          await client.close();
        }
      }, 1),
    ],
  ],
  TIME_MS,
);
const pooled = setup.get('pooled (keep-alive)')!.period;
console.log('connection set-up saved (sequential requests)');
console.table(
  [...setup].map(([name, { period }]) => ({
    mode: name,
    'mean latency µs': fmt(period * 1000),
    'pooled saves':
      name === 'pooled (keep-alive)' ? '-' : `${fmt((1 - pooled / period) * 100, 1)}%`,
  })),
);

const stats = ours.stats();
console.log(
  `@x/pool stats: sockets created ${stats.socketsCreated}, requests ${stats.requestsServed}, reuse ${fmt(stats.reuseRatio * 100, 2)}%, dns hits ${stats.dns.hits} misses ${stats.dns.misses}`,
);
const summary = (title: string, table: Record<string, Record<number, number>>) => {
  console.log(`\nsummary: ${title}`);
  console.table(
    Object.entries(table)
      .filter(([name]) => name !== '@x/pool pool.request')
      .map(([name, byC]) => ({
        peer: name,
        ...Object.fromEntries(CONCURRENCY.map((c) => [`c=${c}`, `${fmt(byC[c]!, 2)}x`])),
      })),
  );
};
summary('@x/pool pool.request speed (wall time) relative to each peer (>1 = faster)', ratios);
summary('CPU per request of each peer / @x/pool pool.request (>1 = @x/pool cheaper)', cpuRatios);

await Promise.all([ours.close(), rawPool.close(), rawPool2.close(), rawAgent.close()]);
axiosAgent.destroy();
server.closeAllConnections();
server.close();
