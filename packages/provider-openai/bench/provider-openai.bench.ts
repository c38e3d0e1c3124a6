/**
 * `complete()` of @x/provider-openai (validate, token count and context check, rate limiter,
 * retry, breaker, pool, parse, reconcile, stats; cache off) against the official `openai` client's
 * `chat.completions.create` and a raw undici request doing the same work (same body, JSON parsed),
 * side by side in one process run, at concurrency 1 and 16.
 *
 * The server answers at once, so what is measured is client overhead. By default it is
 * bench/server-process.ts in a child process; set OPENAI_BENCH_URL to a base URL with /v1 (the
 * simulator's, a real server) to measure against another one.
 *
 *   pnpm --filter @x/provider-openai bench            # 10 rounds, about 60 s
 *   pnpm --filter @x/provider-openai bench --quick    # 3 rounds, a smoke run
 *
 * The machine is shared and noisy: every round runs each task briefly, in a rotated order, and
 * each ratio is the median of the per-round ratios (neighbouring runs share the same load).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { Bench } from 'tinybench';
import { Pool } from 'undici';
import { createOpenAIProvider } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 10;
const MODEL = 'gpt-4o-mini';
const KEY = 'sk-bench-0123456789';
const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Why is the sky blue? Answer in one sentence.' },
];

/** The server: OPENAI_BENCH_URL, or the fixed-answer server in a child process. */
async function startServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const external = process.env.OPENAI_BENCH_URL?.trim();
  if (external) return { url: external.replace(/\/+$/, ''), close: async () => {} };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./server-process.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

const server = await startServer();
const provider = createOpenAIProvider({
  baseUrl: server.url,
  apiKey: KEY,
  cache: false,
  // On, but never the bottleneck: its cost is measured, not its waiting.
  rateLimit: { requestsPerSecond: 1e9 },
});
const body = JSON.stringify({ model: MODEL, messages });
const origin = new URL(server.url);
const path = `${origin.pathname}/chat/completions`;
const raw = new Pool(origin.origin, { connections: 20, pipelining: 1 });
const official = new OpenAI({ apiKey: KEY, baseURL: server.url });

type Subject = () => Promise<unknown>;
const subjects: Record<string, Subject> = {
  '@x/provider-openai': () => provider.complete({ model: MODEL, messages }),
  'openai (official)': () => official.chat.completions.create({ model: MODEL, messages }),
  'raw undici': async () => {
    const res = await raw.request({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body,
    });
    const parsed = JSON.parse(await res.body.text()) as { choices?: unknown[] };
    if (res.statusCode !== 200 || !Array.isArray(parsed.choices)) throw new Error('bad answer');
    return parsed;
  },
};
for (const fn of Object.values(subjects)) await fn();

const CONCURRENCY = [1, 16];
const tasks: [string, number, () => Promise<void>][] = [];
for (const c of CONCURRENCY) {
  for (const [name, fn] of Object.entries(subjects)) {
    tasks.push([
      `${name} c=${c}`,
      c,
      async () => {
        await (c === 1 ? fn() : Promise.all(Array.from({ length: c }, fn)));
      },
    ]);
  }
}

const periods = new Map<string, number[]>();
const p50s = new Map<string, number[]>();
const rme = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    name: '@x/provider-openai',
    time: quick ? 150 : 250,
    warmupTime: quick ? 50 : 80,
  });
  const shift = round % tasks.length;
  for (const [name, , fn] of [...tasks.slice(shift), ...tasks.slice(0, shift)]) bench.add(name, fn);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    periods.set(task.name, [...(periods.get(task.name) ?? []), result.period]);
    p50s.set(task.name, [...(p50s.get(task.name) ?? []), result.latency.p50 ?? result.period]);
    rme.set(task.name, Math.max(rme.get(task.name) ?? 0, result.latency.rme));
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
/** Requests per second of a task (an iteration of a c=16 task is 16 requests). */
const rps = (name: string, c: number): number => (c * 1000) / median(periods.get(name)!);
/** Median over rounds of (mean throughput of a) / (mean throughput of b). */
const ratio = (a: string, b: string): number =>
  median(periods.get(a)!.map((period, i) => periods.get(b)![i]! / period));
/** Median over rounds of p50(b) / p50(a): throughput at the median latency, robust to noise. */
const ratioP50 = (a: string, b: string): number =>
  median(p50s.get(a)!.map((v, i) => p50s.get(b)![i]! / v));
const p50Delta = (a: string, b: string): number =>
  median(p50s.get(a)!.map((v, i) => (v - p50s.get(b)![i]!) * 1000));

console.log(
  `Node ${process.version}, ${ROUNDS} rounds${quick ? ' (quick)' : ''}, server ${process.env.OPENAI_BENCH_URL ? server.url : 'bench/server-process.ts'}, ${new Date().toISOString()}`,
);
console.table(
  tasks.map(([name, c]) => ({
    task: name,
    'requests/s (mean)': Math.round(rps(name, c)).toLocaleString('en-US'),
    'p50 ms/iteration': median(p50s.get(name)!).toFixed(3),
    'max ± %': rme.get(name)!.toFixed(1),
  })),
);
const verdict = (value: number, target: number): string =>
  `${value.toFixed(2)}x (target >= ${target}: ${value >= target ? 'met' : 'MISSED'})`;
const TARGETS: Record<string, [string, number]> = {
  'raw undici': ['raw undici', 0.8],
  'openai (official)': ['official client', 2],
};
const lines: string[] = [];
for (const c of CONCURRENCY) {
  const ours = `@x/provider-openai c=${c}`;
  const cells: string[] = [];
  console.log(`  c=${c}:`);
  for (const [peer, [label, target]] of Object.entries(TARGETS)) {
    const other = `${peer} c=${c}`;
    console.log(`    vs ${label}, mean:       ${verdict(ratio(ours, other), target)}`);
    console.log(`    vs ${label}, at the p50: ${verdict(ratioP50(ours, other), target)}`);
    cells.push(`${ratio(ours, other).toFixed(2)}x`, `${ratioP50(ours, other).toFixed(2)}x`);
  }
  lines.push(`| ${c} | ${cells.join(' | ')} |`);
}
const overheadUs = p50Delta('@x/provider-openai c=1', 'raw undici c=1');
console.log(`  p50 overhead per request at c=1 over raw undici: ${overheadUs.toFixed(1)} µs`);
console.log('\nMarkdown (for the README):\n');
console.log(
  '| concurrency | vs raw undici (mean) | vs raw undici (p50) | vs official client (mean) | vs official client (p50) |',
);
console.log('|---:|---:|---:|---:|---:|');
for (const line of lines) console.log(line);

await provider.close();
await raw.close();
await server.close();
