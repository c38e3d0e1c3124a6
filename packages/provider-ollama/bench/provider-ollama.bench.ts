/**
 * The full @x/provider-ollama pipeline (validate, tokens estimate and context check, rate limiter,
 * retry, breaker, pool, NDJSON parse, reconcile, stats; cache off) against a raw undici request
 * doing the same work (same body, JSON parsed) and against ollama-js `chat`, side by side in one
 * process run, at concurrency 1 and 16. The server is @x/ollama-sim in the same process,
 * answering at once (no load time, no generation delay), so what is measured is client overhead.
 *
 *   pnpm bench            # 5 interleaved rounds, about 40 s
 *   pnpm bench --quick    # 1 round, a smoke run
 */
import { startOllamaSim } from '@x/ollama-sim';
import { Ollama } from 'ollama';
import { Bench } from 'tinybench';
import { Pool } from 'undici';
import { createOllamaProvider } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const MODEL = 'llama3.2';
const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Why is the sky blue? Answer in one sentence.' },
];

const sim = await startOllamaSim({
  loadTimeMs: 0,
  numParallel: 64,
  maxLogEntries: 10,
  responseTokens: { min: 24, max: 24 },
});

const provider = createOllamaProvider({
  baseUrl: sim.url,
  cache: false,
  // On, but never the bottleneck: its cost is measured, not its waiting.
  rateLimit: { requestsPerSecond: 1e9 },
});
await provider.initialize();
// The provider pins num_ctx per model; the raw request sends the very same body.
const warm = await provider.complete({ model: MODEL, messages });
const body = JSON.stringify({
  model: MODEL,
  messages,
  stream: false,
  options: { num_ctx: warm.numCtx },
});

const raw = new Pool(sim.url, { connections: 20, pipelining: 1 });
const ollamaJs = new Ollama({ host: sim.url });

type Subject = () => Promise<unknown>;
const subjects: Record<string, Subject> = {
  '@x/provider-ollama': () => provider.complete({ model: MODEL, messages }),
  'raw undici': async () => {
    const res = await raw.request({
      path: '/api/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const parsed = JSON.parse(await res.body.text()) as { done?: boolean };
    if (res.statusCode !== 200 || parsed.done !== true) throw new Error('bad answer');
    return parsed;
  },
  'ollama-js chat': () => ollamaJs.chat({ model: MODEL, messages, stream: false }),
};

const CONCURRENCY = [1, 16];
const tasks: [string, number, () => Promise<void>][] = [];
for (const c of CONCURRENCY) {
  for (const [name, fn] of Object.entries(subjects)) {
    tasks.push([
      `${name} c=${c}`,
      c,
      c === 1
        ? async () => {
            await fn();
          }
        : async () => {
            await Promise.all(Array.from({ length: c }, fn));
          },
    ]);
  }
}

const periods = new Map<string, number[]>();
const p50s = new Map<string, number[]>();
const rme = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    name: '@x/provider-ollama',
    time: quick ? 300 : 1_000,
    warmupTime: quick ? 100 : 200,
  });
  for (const [name, , fn] of tasks) bench.add(name, fn);
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
const p50 = (name: string): number => median(p50s.get(name)!);

console.log(
  `Node ${process.version}, ${quick ? 'quick' : `${ROUNDS} rounds`}, ${new Date().toISOString()}`,
);
console.table(
  tasks.map(([name, c]) => ({
    task: name,
    'requests/s': Math.round(rps(name, c)).toLocaleString('en-US'),
    'p50 ms/iteration': p50(name).toFixed(3),
    'max ± %': rme.get(name)!.toFixed(1),
  })),
);

console.log('Ratios (throughput of @x/provider-ollama / peer):');
const lines: string[] = [];
for (const c of CONCURRENCY) {
  const ours = rps(`@x/provider-ollama c=${c}`, c);
  const vsRaw = ours / rps(`raw undici c=${c}`, c);
  const vsJs = ours / rps(`ollama-js chat c=${c}`, c);
  lines.push(
    `| ${c} | ${Math.round(ours).toLocaleString('en-US')} | ${vsRaw.toFixed(2)}x | ${vsJs.toFixed(2)}x |`,
  );
  console.log(
    `  c=${c}: vs raw undici ${vsRaw.toFixed(2)}x (target >= 0.80: ${vsRaw >= 0.8 ? 'met' : 'MISSED'}), ` +
      `vs ollama-js ${vsJs.toFixed(2)}x (target >= 1.5: ${vsJs >= 1.5 ? 'met' : 'MISSED'})`,
  );
}
const overheadUs = (p50('@x/provider-ollama c=1') - p50('raw undici c=1')) * 1000;
console.log(
  `  p50 overhead per request at c=1: ${overheadUs.toFixed(1)} µs (target < 50 µs: ${overheadUs < 50 ? 'met' : 'MISSED'})`,
);
console.log('\nMarkdown (for the README):\n');
console.log('| concurrency | provider requests/s | vs raw undici | vs ollama-js |');
console.log('|---:|---:|---:|---:|');
for (const line of lines) console.log(line);
console.log(`\np50 overhead at concurrency 1: ${overheadUs.toFixed(1)} µs per request`);

await provider.close();
await raw.close();
await sim.close();
