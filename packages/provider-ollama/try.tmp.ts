import { startOllamaSim } from '@x/ollama-sim';
import { createPool } from '@x/pool';
import { createOllamaProvider } from './src/index';

const sim = await startOllamaSim({
  loadTimeMs: 0,
  numParallel: 64,
  maxLogEntries: 10,
  responseTokens: { min: 24, max: 24 },
});
const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Why is the sky blue? Answer in one sentence.' },
];
const body = JSON.stringify({
  model: 'llama3.2',
  messages,
  stream: false,
  options: { num_ctx: 4096 },
});
const xpool = createPool({ headersTimeoutMs: 0, bodyTimeoutMs: 0 });
const url = sim.url + '/api/chat';
const opts = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
const base = {
  cache: false,
  rateLimit: false,
  breaker: false,
  tokens: false,
  retry: false,
  timeouts: false,
} as any;
const mk = (o: any) => {
  const p = createOllamaProvider({ baseUrl: sim.url, ...base, pool: xpool, ...o });
  return () => p.complete({ model: 'llama3.2', messages });
};
const fns: Record<string, () => Promise<unknown>> = {
  'xpool text': async () => {
    const r = await xpool.request(url, opts);
    return JSON.parse(await r.body.text());
  },
  'bare provider': mk({}),
  '+tokens': mk({ tokens: undefined }),
  '+rate': mk({ rateLimit: { requestsPerSecond: 1e9 } }),
  '+timeouts': mk({ timeouts: undefined }),
  'full provider': mk({
    tokens: undefined,
    rateLimit: { requestsPerSecond: 1e9 },
    timeouts: undefined,
    breaker: undefined,
    retry: undefined,
  }),
};
const lat: Record<string, number[]> = {};
for (let i = 0; i < 100; i++) for (const fn of Object.values(fns)) await fn();
for (let i = 0; i < 3000; i++)
  for (const [k, fn] of Object.entries(fns)) {
    const t = performance.now();
    await fn();
    (lat[k] ??= []).push((performance.now() - t) * 1000);
  }
for (const [k, v] of Object.entries(lat)) {
  const s = [...v].sort((a, b) => a - b);
  const q = (x: number) => s[Math.floor(s.length * x)]!.toFixed(0);
  console.log(
    k.padEnd(16),
    'mean',
    (v.reduce((a, b) => a + b) / v.length).toFixed(0),
    'p50',
    q(0.5),
    'p90',
    q(0.9),
    'p99',
    q(0.99),
    'p99.9',
    q(0.999),
  );
}
await xpool.close();
await sim.close();
