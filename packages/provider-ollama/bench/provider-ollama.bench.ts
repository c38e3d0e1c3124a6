/**
 * The full @x/provider-ollama pipeline (validate, tokens estimate and context check, rate limiter,
 * retry, breaker, pool, NDJSON parse, reconcile, stats; cache off) against a raw undici request
 * doing the same work (same body, JSON parsed) and against ollama-js `chat`, side by side in one
 * process run, at concurrency 1 and 16. The server is @x/ollama-sim in a child process,
 * answering at once (no load time, no generation delay), so what is measured is client overhead.
 *
 *   pnpm bench            # 10 rounds, about 60 s
 *   pnpm bench --quick    # 3 rounds, a smoke run
 *
 * The machine is shared and noisy: every round runs each task briefly, in a rotated order, and
 * each ratio is the median of the per-round ratios (neighbouring runs share the same load).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';
import { Bench } from 'tinybench';
import { Pool } from 'undici';
import { createOllamaProvider } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 10;
const MODEL = 'llama3.2';
const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Why is the sky blue? Answer in one sentence.' },
];

// The simulator runs in its own process, as Ollama does: client and server do not share an event
// loop, so what differs between the tasks is the client's own work.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./sim-process.ts', import.meta.url))],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const simUrl = await new Promise<string>((resolve, reject) => {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const line = buffer.split('\n')[0];
    if (buffer.includes('\n') && line) resolve(line.trim());
  });
  child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
});
const sim = {
  url: simUrl,
  close: () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
};

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

// The same pipeline without token accounting, to show what the estimate costs.
const lean = createOllamaProvider({
  baseUrl: sim.url,
  cache: false,
  tokens: false,
  rateLimit: { requestsPerSecond: 1e9 },
});
await lean.initialize();

const raw = new Pool(sim.url, { connections: 20, pipelining: 1 });
const ollamaJs = new Ollama({ host: sim.url });

type Subject = () => Promise<unknown>;
const subjects: Record<string, Subject> = {
  '@x/provider-ollama': () => provider.complete({ model: MODEL, messages }),
  '@x/provider-ollama tokens:false': () =>
    lean.complete({ model: MODEL, messages, numCtx: warm.numCtx! }),
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
const p50 = (name: string): number => median(p50s.get(name)!);
/** Median over rounds of (mean throughput of a) / (mean throughput of b). */
const ratio = (a: string, b: string): number =>
  median(periods.get(a)!.map((period, i) => periods.get(b)![i]! / period));
/** Median over rounds of p50(b) / p50(a): throughput at the median latency, robust to noise. */
const ratioP50 = (a: string, b: string): number =>
  median(p50s.get(a)!.map((v, i) => p50s.get(b)![i]! / v));
/** Median over rounds of p50(a) - p50(b), in µs. */
const p50Delta = (a: string, b: string): number =>
  median(p50s.get(a)!.map((v, i) => (v - p50s.get(b)![i]!) * 1000));

console.log(
  `Node ${process.version}, ${ROUNDS} rounds${quick ? ' (quick)' : ''}, ${new Date().toISOString()}`,
);
console.table(
  tasks.map(([name, c]) => ({
    task: name,
    'requests/s (mean)': Math.round(rps(name, c)).toLocaleString('en-US'),
    'p50 ms/iteration': p50(name).toFixed(3),
    'max ± %': rme.get(name)!.toFixed(1),
  })),
);

const verdict = (value: number, target: number): string =>
  `${value.toFixed(3)}x (target >= ${target}: ${value >= target ? 'met' : 'MISSED'})`;
console.log('Ratios of @x/provider-ollama to each peer (median of per-round ratios):');
const lines: string[] = [];
for (const c of CONCURRENCY) {
  const ours = `@x/provider-ollama c=${c}`;
  const leanName = `@x/provider-ollama tokens:false c=${c}`;
  const rawName = `raw undici c=${c}`;
  const jsName = `ollama-js chat c=${c}`;
  lines.push(
    `| ${c} | ${ratioP50(ours, rawName).toFixed(2)}x | ${ratio(ours, rawName).toFixed(2)}x | ` +
      `${ratioP50(leanName, rawName).toFixed(2)}x | ${ratioP50(ours, jsName).toFixed(2)}x | ${ratio(ours, jsName).toFixed(2)}x |`,
  );
  console.log(`  c=${c}:`);
  console.log(`    vs raw undici, at the p50:  ${verdict(ratioP50(ours, rawName), 0.8)}`);
  console.log(`    vs raw undici, mean:        ${verdict(ratio(ours, rawName), 0.8)}`);
  console.log(`    tokens:false vs raw, p50:   ${ratioP50(leanName, rawName).toFixed(2)}x`);
  console.log(`    vs ollama-js, at the p50:   ${verdict(ratioP50(ours, jsName), 1.5)}`);
  console.log(`    vs ollama-js, mean:         ${verdict(ratio(ours, jsName), 1.5)}`);
}
const overheadUs = p50Delta('@x/provider-ollama c=1', 'raw undici c=1');
const leanOverheadUs = p50Delta('@x/provider-ollama tokens:false c=1', 'raw undici c=1');
console.log(
  `  p50 overhead per request at c=1: ${overheadUs.toFixed(1)} µs (target < 50 µs: ${overheadUs < 50 ? 'met' : 'MISSED'}); tokens:false ${leanOverheadUs.toFixed(1)} µs`,
);
console.log('\nMarkdown (for the README):\n');
console.log(
  '| concurrency | vs raw undici (p50) | vs raw undici (mean) | tokens:false vs raw (p50) | vs ollama-js (p50) | vs ollama-js (mean) |',
);
console.log('|---:|---:|---:|---:|---:|---:|');
for (const line of lines) console.log(line);
console.log(
  `\np50 overhead per request at concurrency 1: ${overheadUs.toFixed(1)} µs (tokens:false: ${leanOverheadUs.toFixed(1)} µs)`,
);

await lean.close();
await provider.close();
await raw.close();
await sim.close();
