/**
 * A small driver for profiling the pipeline's own cost: `complete()` against a raw undici Pool
 * doing the same request and JSON parse, both against @x/ollama-sim in a child process.
 *
 *   pnpm exec tsx bench/overhead.ts                 # ratios at c=1 and c=16, p50 overhead
 *   node --cpu-prof --import tsx bench/overhead.ts --profile=ours --c=16 --seconds=10
 *   node --cpu-prof --import tsx bench/overhead.ts --profile=raw --c=16 --seconds=10
 *
 * Ratios are measured in one process, in alternating order, over many short rounds: the median
 * of per-round ratios holds on a shared, noisy machine where absolute figures do not.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createOllamaProvider } from '@x/provider-ollama';
import { Pool } from 'undici';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROUNDS = Number(arg('rounds', '15'));
const CALLS = Number(arg('calls', '400'));
const PAIRS = Number(arg('pairs', '1000'));
const profile = arg('profile', '');
const MODEL = 'llama3.2';
const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Say hello to user number 1.' },
];

const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { startOllamaSim } = await import('@x/ollama-sim');
     const sim = await startOllamaSim({ numParallel: 256, maxQueue: 4096, maxLogEntries: 0, responseTokens: { min: 16, max: 16 } });
     process.stdout.write(sim.url + '\\n');
     process.stdin.on('end', () => sim.close().then(() => process.exit(0)));
     process.stdin.resume();`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('..', import.meta.url) },
);
const url = await new Promise<string>((resolve, reject) => {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!.trim());
  });
  child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
});

const provider = createOllamaProvider({
  baseUrl: url,
  cache: false,
  rateLimit: { requestsPerSecond: 1e9, burst: 1e9 },
});
await provider.initialize();
const raw = new Pool(url, { connections: 16 });
const body = JSON.stringify({ model: MODEL, messages, stream: false });
const streamBody = JSON.stringify({ model: MODEL, messages, stream: true });

const subjects: Record<string, () => Promise<unknown>> = {
  ours: () => provider.complete({ model: MODEL, messages }),
  raw: async () => {
    const res = await raw.request({
      path: '/api/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return res.body.json();
  },
  // The request complete() makes: the answer streamed as NDJSON, each line parsed, content joined.
  'raw-stream': async () => {
    const res = await raw.request({
      path: '/api/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamBody,
    });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    let content = '';
    let last: { done?: boolean } = {};
    for (const line of (await res.body.text()).split('\n')) {
      if (line === '') continue;
      last = JSON.parse(line);
      content += (last as { message?: { content?: string } }).message?.content ?? '';
    }
    if (last.done !== true) throw new Error('incomplete');
    return { ...last, content };
  },
};

/** Milliseconds for `calls` calls made by `c` callers, each calling in a loop. */
async function timed(fn: () => Promise<unknown>, c: number, calls: number): Promise<number> {
  const started = performance.now();
  let left = calls;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (left-- > 0) await fn();
    }),
  );
  return performance.now() - started;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const names = ['ours', 'raw', 'raw-stream'];
// --baseline=/tmp/base: another build of the packages (node_modules/@x/* in that folder), as the
// subject `base`, for a before/after comparison in one process.
const baseline = arg('baseline', '');
if (baseline !== '') {
  const entry = pathToFileURL(`${baseline}/node_modules/@x/provider-ollama/dist/index.js`).href;
  const { createOllamaProvider: createBase } = (await import(entry)) as {
    createOllamaProvider: typeof createOllamaProvider;
  };
  const base = createBase({
    baseUrl: url,
    cache: false,
    rateLimit: { requestsPerSecond: 1e9, burst: 1e9 },
  });
  await base.initialize();
  subjects.base = () => base.complete({ model: MODEL, messages });
}
// --variants='{"no-otel":{"telemetry":false}}': more providers, to see what one piece costs.
const variants: Record<string, object> = JSON.parse(arg('variants', '{}'));
for (const [label, options] of Object.entries(variants)) {
  const variant = createOllamaProvider({
    baseUrl: url,
    cache: false,
    rateLimit: { requestsPerSecond: 1e9, burst: 1e9 },
    ...options,
  });
  await variant.initialize();
  subjects[label] = () => variant.complete({ model: MODEL, messages });
}

/**
 * Client CPU per call (user + system) of each subject at c=1, rounds interleaved: robust to what
 * else runs, where wall-clock figures are not.
 */
async function cpuPerCall(which: string[], c: number): Promise<void> {
  const cpu = new Map<string, number[]>(which.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of which) {
      const before = process.cpuUsage();
      await timed(subjects[name]!, c, CALLS);
      const used = process.cpuUsage(before);
      cpu.get(name)!.push((used.user + used.system) / CALLS);
    }
  }
  for (const [name, values] of cpu) {
    console.log(`client CPU per call at c=${c}, ${name}: ${median(values).toFixed(1)} µs`);
  }
}

/** Median over rounds of the throughput of `ours` over each peer, the order rotated per round. */
async function ratios(c: number): Promise<void> {
  const per: Record<string, number[]> = { raw: [], 'raw-stream': [] };
  for (let round = 0; round < ROUNDS; round++) {
    const ms: Record<string, number> = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      ms[name] = await timed(subjects[name]!, c, CALLS);
    }
    per.raw!.push(ms.raw! / ms.ours!);
    per['raw-stream']!.push(ms['raw-stream']! / ms.ours!);
  }
  const spread = (r: number[]) =>
    `${median(r).toFixed(3)}x (min ${Math.min(...r).toFixed(3)}, max ${Math.max(...r).toFixed(3)})`;
  console.log(
    `c=${c}, ${ROUNDS} rounds: ours vs raw ${spread(per.raw!)}; vs raw streamed ${spread(per['raw-stream']!)}`,
  );
}

/** Sequential pairs (ours, raw), each call timed on its own: the p50 difference. */
async function p50Overhead(): Promise<void> {
  const ours: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    let t = performance.now();
    await subjects.ours!();
    ours.push(performance.now() - t);
    t = performance.now();
    await subjects.raw!();
    rawMs.push(performance.now() - t);
  }
  const us = (ms: number) => (ms * 1000).toFixed(1);
  console.log(
    `p50 overhead (c=1, ${PAIRS} interleaved pairs): ${us(median(ours) - median(rawMs))} µs (ours ${us(median(ours))} µs, raw ${us(median(rawMs))} µs)`,
  );
}

for (const name of Object.keys(subjects)) await timed(subjects[name]!, 16, CALLS);
if (profile !== '') {
  const c = Number(arg('c', '16'));
  const until = performance.now() + Number(arg('seconds', '10')) * 1000;
  let n = 0;
  while (performance.now() < until) {
    await timed(subjects[profile]!, c, 1000);
    n += 1000;
  }
  console.log(`${profile}: ${n} calls at c=${c}`);
} else if (arg('cpu', '') !== '') {
  await cpuPerCall(arg('cpu', '').split(','), Number(arg('c', '1')));
} else {
  await ratios(1);
  await ratios(16);
  await cpuPerCall(Object.keys(subjects), 1);
  await p50Overhead();
}

await provider.close();
await raw.close();
child.stdin!.end();
