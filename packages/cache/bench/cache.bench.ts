/**
 * @x/cache side by side with quick-lru, lru-cache and the usual key pipelines, in one process run.
 *
 *   pnpm bench            # 15 short interleaved rounds, about 30 s
 *   pnpm bench --quick    # 3 rounds, for a smoke run
 *
 * - raw get: a hit by a precomputed key in a full 1000-entry cache, against quick-lru and
 *   lru-cache (each also with per-entry TTL, which @x/cache always has), in two access patterns:
 *   a fixed permutation that touches every key in turn, and keys drawn uniformly at random over
 *   the 1,000 hot keys (the setup of the performance target: >= 0.67x quick-lru's speed), with
 *   the floor of any TTL cache that reads the clock on a hit: one Map.get plus one
 *   performance.now() (quick-lru and lru-cache without a TTL read no clock);
 * - cacheKey on a typical chat request, against JSON.stringify + sha256 (not order-independent)
 *   and safe-stable-stringify + sha256 (order-independent, what one would write by hand);
 * - a hit through get(request) end to end (key + lookup);
 * - compression of realistic ~4 KiB JSON answers: stored size and the cost of set/get.
 *
 * Each task iteration runs BATCH operations; per-operation time is the iteration time / BATCH.
 * The machine may be shared and busy: many short rounds are interleaved, and each task's best
 * round (lowest mean time) is reported, since contention only ever adds time.
 */
import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import QuickLRU from 'quick-lru';
import stableStringify from 'safe-stable-stringify';
import { Bench } from 'tinybench';
import { cacheKey, createCache } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 15;
const BATCH = 1000;
const N = 1000;
const TTL = 3_600_000;

// ---- a typical chat request (Ollama-native, as @x/provider-ollama sends it) -------------------
const chatRequest = {
  model: 'llama3.2',
  messages: [
    {
      role: 'system',
      content:
        'You are a concise assistant for a developer tools company. Answer in Markdown, cite the ' +
        'relevant API names, and keep answers under 300 words unless asked for more detail.',
    },
    { role: 'user', content: 'How do I retry a failed HTTP request with exponential backoff?' },
    {
      role: 'assistant',
      content:
        'Wrap the call in a loop that waits `base * 2 ** attempt` milliseconds between attempts, ' +
        'adds jitter, and stops after a maximum number of attempts or on a non-retryable status.',
    },
    { role: 'user', content: 'Show it in TypeScript with fetch and an AbortSignal, please.' },
  ],
  options: { temperature: 0, seed: 42, top_p: 0.9, top_k: 40, num_ctx: 8192, num_predict: 512 },
  stream: true,
  keep_alive: '10m',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// ---- realistic answers: real technical Markdown (READMEs) in an Ollama chat response ---------
const corpus = [
  'ioredis/README.md',
  'lru-cache/README.md',
  'quick-lru/readme.md',
  'safe-stable-stringify/readme.md',
]
  .map((path) => readFileSync(new URL(`../node_modules/${path}`, import.meta.url), 'utf8'))
  .join('\n');
function realisticAnswer(i: number, size = 4096) {
  const shell = {
    model: 'llama3.2',
    created_at: '2026-08-24T09:14:04.190966125Z',
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1874539125 + i,
    load_duration: 1252871417,
    prompt_eval_count: 42,
    prompt_eval_duration: 88412000,
    eval_count: 731,
    eval_duration: 520913000,
  };
  const room = size - JSON.stringify(shell).length;
  const start = (i * 7919) % (corpus.length - 2 * size);
  let content = corpus.slice(start, start + room);
  while (JSON.stringify({ ...shell, message: { role: 'assistant', content } }).length > size)
    content = content.slice(0, -16);
  return { ...shell, message: { role: 'assistant', content } };
}
const answers = Array.from({ length: 64 }, (_, i) => realisticAnswer(i));
const smallAnswer = (i: number) => ({
  model: 'llama3.2',
  message: { role: 'assistant', content: `The answer number ${i} is short.` },
  done: true,
  eval_count: 12,
});

// ---- subjects, filled alike: N entries, small values -----------------------------------------
const requests = Array.from({ length: N }, (_, i) => ({
  ...chatRequest,
  messages: [...chatRequest.messages, { role: 'user', content: `variant ${i}` }],
}));
const ours = createCache({ maxEntries: N, strategy: 'aggressive' });
const keys = requests.map((r) => ours.key(r));
const quickLru = new QuickLRU<string, unknown>({ maxSize: N });
const quickLruTtl = new QuickLRU<string, unknown>({ maxSize: N, maxAge: TTL });
const lruCache = new LRUCache<string, object>({ max: N });
const lruCacheTtl = new LRUCache<string, object>({ max: N, ttl: TTL });
for (let i = 0; i < N; i++) {
  const value = smallAnswer(i);
  ours.set(keys[i]!, value);
  quickLru.set(keys[i]!, value);
  quickLruTtl.set(keys[i]!, value);
  lruCache.set(keys[i]!, value);
  lruCacheTtl.set(keys[i]!, value);
}
// A hit pattern that touches every entry: a fixed pseudo-random permutation of the keys.
const order = Array.from({ length: BATCH }, (_, i) => keys[(i * 7919) % N]!);
// Uniform random over the same keys, from a fixed-seed generator so every run reads the same
// sequence; long enough (64 Ki) that the pattern does not repeat within a task iteration's batch.
let seed = 0x9e3779b9;
const nextRandom = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const RANDOM = 1 << 16;
const randomOrder = Array.from({ length: RANDOM }, () => keys[Math.floor(nextRandom() * N)]!);
let cursor = 0;
const plainMap = new Map<string, unknown>(keys.map((key, i) => [key, smallAnswer(i)]));
const orderRequests = Array.from({ length: BATCH }, (_, i) => requests[(i * 7919) % N]!);
const handRolledKeys = new QuickLRU<string, unknown>({ maxSize: N });
for (let i = 0; i < N; i++)
  handRolledKeys.set(sha256(stableStringify(requests[i])!), smallAnswer(i));

const compressing = createCache({ strategy: 'aggressive', maxEntries: 256 });
const plain = createCache({
  strategy: 'aggressive',
  maxEntries: 256,
  compressAboveBytes: Number.POSITIVE_INFINITY,
});
const answerKeys = answers.map((_, i) => `answer-${i}`);
answers.forEach((a, i) => {
  compressing.set(answerKeys[i]!, a);
  plain.set(answerKeys[i]!, a);
});

let sink: unknown;
const tasks: [string, () => void][] = [
  [
    'get: @x/cache get(key)',
    () => {
      for (let i = 0; i < BATCH; i++) sink = ours.get(order[i]!);
    },
  ],
  [
    'get: quick-lru',
    () => {
      for (let i = 0; i < BATCH; i++) sink = quickLru.get(order[i]!);
    },
  ],
  [
    'get: quick-lru (maxAge)',
    () => {
      for (let i = 0; i < BATCH; i++) sink = quickLruTtl.get(order[i]!);
    },
  ],
  [
    'get: lru-cache',
    () => {
      for (let i = 0; i < BATCH; i++) sink = lruCache.get(order[i]!);
    },
  ],
  [
    'get: lru-cache (ttl)',
    () => {
      for (let i = 0; i < BATCH; i++) sink = lruCacheTtl.get(order[i]!);
    },
  ],
  [
    'random get: @x/cache get(key)',
    () => {
      for (let i = 0; i < BATCH; i++) sink = ours.get(randomOrder[cursor++ & (RANDOM - 1)]!);
    },
  ],
  [
    'random get: quick-lru',
    () => {
      for (let i = 0; i < BATCH; i++) sink = quickLru.get(randomOrder[cursor++ & (RANDOM - 1)]!);
    },
  ],
  [
    'random get: lru-cache',
    () => {
      for (let i = 0; i < BATCH; i++) sink = lruCache.get(randomOrder[cursor++ & (RANDOM - 1)]!);
    },
  ],
  [
    'random get: floor, Map.get',
    () => {
      for (let i = 0; i < BATCH; i++) sink = plainMap.get(randomOrder[cursor++ & (RANDOM - 1)]!);
    },
  ],
  [
    'clock: performance.now()',
    () => {
      for (let i = 0; i < BATCH; i++) sink = performance.now();
    },
  ],
  [
    'key: @x/cache cacheKey',
    () => {
      for (let i = 0; i < BATCH; i++) sink = cacheKey(chatRequest);
    },
  ],
  [
    'key: JSON.stringify + sha256',
    () => {
      for (let i = 0; i < BATCH; i++) sink = sha256(JSON.stringify(chatRequest));
    },
  ],
  [
    'key: safe-stable-stringify + sha256',
    () => {
      for (let i = 0; i < BATCH; i++) sink = sha256(stableStringify(chatRequest)!);
    },
  ],
  [
    'key: safe-stable-stringify + crypto.hash',
    () => {
      for (let i = 0; i < BATCH; i++)
        sink = hash('sha256', stableStringify(chatRequest)!, 'base64url');
    },
  ],
  [
    'hit: @x/cache get(request)',
    () => {
      for (let i = 0; i < BATCH; i++) sink = ours.get(orderRequests[i]!);
    },
  ],
  [
    'hit: sss + sha256 + quick-lru',
    () => {
      for (let i = 0; i < BATCH; i++)
        sink = handRolledKeys.get(sha256(stableStringify(orderRequests[i])!));
    },
  ],
  [
    '4k: set compressed',
    () => {
      for (let i = 0; i < BATCH / 10; i++) compressing.set(answerKeys[i & 63]!, answers[i & 63]);
    },
  ],
  [
    '4k: set uncompressed',
    () => {
      for (let i = 0; i < BATCH / 10; i++) plain.set(answerKeys[i & 63]!, answers[i & 63]);
    },
  ],
  [
    '4k: get compressed',
    () => {
      for (let i = 0; i < BATCH / 10; i++) sink = compressing.get(answerKeys[i & 63]!);
    },
  ],
  [
    '4k: get uncompressed',
    () => {
      for (let i = 0; i < BATCH / 10; i++) sink = plain.get(answerKeys[i & 63]!);
    },
  ],
];
const perIteration = (name: string) => (name.startsWith('4k') ? BATCH / 10 : BATCH);

const samples = new Map<string, number[]>();
const rme = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    name: '@x/cache',
    time: quick ? 40 : 80,
    warmupTime: 20,
    iterations: 8,
    warmupIterations: 4,
  });
  for (const [name, task] of tasks) bench.add(name, task);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const list = samples.get(task.name) ?? [];
    list.push((result.period * 1e6) / perIteration(task.name));
    samples.set(task.name, list);
    rme.set(task.name, Math.max(rme.get(task.name) ?? 0, result.latency.rme));
  }
}
if (sink === Symbol.for('never')) console.log(sink);

const ns = (name: string): number => Math.min(...samples.get(name)!);
console.log(
  `Node ${process.version}, ${quick ? 'quick' : 'full'} run (${ROUNDS} rounds), ${new Date().toISOString()}`,
);
console.table(
  tasks.map(([name]) => ({
    task: name,
    'ops/s': Math.round(1e9 / ns(name)).toLocaleString('en-US'),
    'ns/op': ns(name).toFixed(1),
    'max ± % (any round)': rme.get(name)!.toFixed(1),
  })),
);

const raw = answers.map((a) => Buffer.byteLength(JSON.stringify(a)));
const plainDeflate = answers.map((a) => deflateSync(JSON.stringify(a), { level: 6 }).length);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const stored = compressing.stats();
// What the cache stores (zlib level 6 with its preset dictionary), over the JSON size.
const compressionRatio = stored.bytes / (stored.bytes + stored.bytesSaved);

const x = (value: number) => `${value.toFixed(2)}x`;
const getRatio = ns('get: @x/cache get(key)') / ns('get: quick-lru');
const keyRatio = ns('key: safe-stable-stringify + sha256') / ns('key: @x/cache cacheKey');
console.log('Ratios (from this run):');
console.log(
  `  get(key) time vs quick-lru:            ${x(getRatio)} (target <= 1.5x: ${getRatio <= 1.5 ? 'met' : 'MISSED'})`,
);
console.log(
  `  get(key) time vs quick-lru (maxAge):   ${x(ns('get: @x/cache get(key)') / ns('get: quick-lru (maxAge)'))}`,
);
console.log(
  `  get(key) time vs lru-cache:            ${x(ns('get: @x/cache get(key)') / ns('get: lru-cache'))}`,
);
console.log(
  `  get(key) time vs lru-cache (ttl):      ${x(ns('get: @x/cache get(key)') / ns('get: lru-cache (ttl)'))}`,
);
const randomRatio = ns('random get: quick-lru') / ns('random get: @x/cache get(key)');
console.log(
  `  get(key) speed vs quick-lru, uniform random over ${N} keys: ${x(randomRatio)} (target >= 0.67x: ${randomRatio >= 0.67 ? 'met' : 'MISSED'})`,
);
const floor = ns('random get: floor, Map.get') + ns('clock: performance.now()');
console.log(
  `  floor (Map.get + performance.now()) speed vs quick-lru, same keys: ${x(ns('random get: quick-lru') / floor)}; @x/cache get(key) is ${(ns('random get: @x/cache get(key)') - floor).toFixed(1)} ns above it`,
);
console.log(
  `  get(key) speed vs lru-cache, uniform random over ${N} keys: ${x(ns('random get: lru-cache') / ns('random get: @x/cache get(key)'))}`,
);
console.log(
  `  cacheKey speed vs sss + sha256:        ${x(keyRatio)} (target >= 1.5x: ${keyRatio >= 1.5 ? 'met' : 'MISSED'})`,
);
console.log(
  `  cacheKey speed vs JSON.stringify + sha256: ${x(ns('key: JSON.stringify + sha256') / ns('key: @x/cache cacheKey'))}`,
);
console.log(
  `  cacheKey speed vs sss + crypto.hash:   ${x(ns('key: safe-stable-stringify + crypto.hash') / ns('key: @x/cache cacheKey'))}`,
);
console.log(
  `  get(request) speed vs sss + sha256 + quick-lru: ${x(ns('hit: sss + sha256 + quick-lru') / ns('hit: @x/cache get(request)'))}`,
);
console.log(
  `  4 KiB answers: stored ${(compressionRatio * 100).toFixed(1)}% of raw (target <= 40%: ${compressionRatio <= 0.4 ? 'met' : 'MISSED'}); ` +
    `avg raw ${Math.round(sum(raw) / raw.length)} B, stored ${Math.round(stored.bytes / stored.entries)} B ` +
    `(plain zlib level 6 without the dictionary: ${((sum(plainDeflate) / sum(raw)) * 100).toFixed(1)}%)`,
);
console.log(
  `  4 KiB answers: set ${(ns('4k: set compressed') / 1000).toFixed(1)} µs compressed vs ${(ns('4k: set uncompressed') / 1000).toFixed(1)} µs raw; ` +
    `get ${(ns('4k: get compressed') / 1000).toFixed(1)} µs compressed vs ${(ns('4k: get uncompressed') / 1000).toFixed(1)} µs raw`,
);
