/**
 * The pipeline's own cost against the sim: `complete()` beside a raw undici Pool making the same
 * request and JSON parse (`raw`: `stream: false`, what apps/bench compares with), and beside raw
 * undici reading the answer streamed as `complete()` asks for it (`raw-stream`: the same NDJSON
 * lines, parsed), @x/ollama-sim in a child process. Run from packages/provider-ollama, built:
 *
 *   node --import tsx profile/overhead.ts                    # ratios at c=1 and c=16, client CPU per
 *                                                          # call, p50 overhead at c=1
 *   node --import tsx profile/overhead.ts --cpu=ours,raw --c=16           # client CPU per call only
 *   node --import tsx profile/overhead.ts --baseline=/tmp/base            # + `base`: the build
 *                                              # saved by profile/save-build.ts /tmp/base
 *   node --import tsx profile/overhead.ts --baseline=/tmp/base --cpu=ours-stream,base-stream
 *                                              # stream() iterated, client CPU per call, both builds
 *   node --cpu-prof --import tsx profile/overhead.ts --profile=ours --c=16 --seconds=10
 *   node --import tsx profile/overhead.ts --whole ...   # `ours` and `base` with completeAs: 'whole'
 *
 * Everything compared runs in one process, in rotated order, over many short rounds: the median
 * of per-round ratios holds on a shared, noisy machine where absolute figures do not. Client CPU
 * per call (process.cpuUsage) is the steadiest of the three figures.
 */
import { cliArg as arg, medianOf as median } from '@x/internal/testing';
import { createOllamaProvider } from '@x/provider-ollama';
import { Pool } from 'undici';
import {
  byCallers,
  loadBaseline,
  MODEL,
  measuredOptions,
  messages,
  rawStreamedChat,
  rawWholeChat,
  startSimChild,
} from './setup';

const ROUNDS = Number(arg('rounds', '15'));
const CALLS = Number(arg('calls', '400'));
const PAIRS = Number(arg('pairs', '1000'));
const profile = arg('profile', '');

const sim = await startSimChild();
const { url } = sim;

// --whole: `ours` and `base` read one JSON answer (`stream: false`), as `raw` does.
const options = measuredOptions(url, process.argv.includes('--whole'));
const provider = createOllamaProvider(options);
await provider.initialize();
const raw = new Pool(url, { connections: 16 });

const subjects: Record<string, () => Promise<unknown>> = {
  ours: () => provider.complete({ model: MODEL, messages }),
  raw: rawWholeChat(raw),
  'raw-stream': rawStreamedChat(raw),
  'ours-stream': iterated(provider),
};

/** `stream()` with its chunks iterated as they arrive, the content joined. */
function iterated(p: Pick<typeof provider, 'stream'>): () => Promise<string> {
  return async () => {
    let content = '';
    for await (const chunk of p.stream({ model: MODEL, messages })) content += chunk.content;
    return content;
  };
}

/** Milliseconds for `calls` calls made by `c` callers, each calling in a loop. */
async function timed(fn: () => Promise<unknown>, c: number, calls: number): Promise<number> {
  const started = performance.now();
  await byCallers(fn, c, calls);
  return performance.now() - started;
}

// --baseline=/tmp/base: another build, saved there by profile/save-build.ts, as the subject
// `base`, for a before/after comparison in one process.
const baseline = arg('baseline', '');
if (baseline !== '') {
  const createBase = await loadBaseline(baseline);
  const base = createBase(options);
  await base.initialize();
  subjects.base = () => base.complete({ model: MODEL, messages });
  subjects['base-stream'] = iterated(base);
}
// What one piece costs (a provider with it switched off) is measured by profile/variants.ts, each
// variant in a process of its own: variants in one process share the provider's compiled code.

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

/** The subjects compared with raw undici: ours, and the baseline build when given. */
const compared = () => ['ours', ...(subjects.base === undefined ? [] : ['base'])];

/**
 * Median over rounds of each compared subject's throughput over raw undici (and over raw undici
 * reading the same streamed answer), every subject once per round, the order rotated per round.
 */
async function ratios(c: number): Promise<void> {
  const all = [...compared(), 'raw', 'raw-stream'];
  const per = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const ms: Record<string, number> = {};
    for (let i = 0; i < all.length; i++) {
      const name = all[(i + round) % all.length]!;
      ms[name] = await timed(subjects[name]!, c, CALLS);
    }
    for (const name of compared()) {
      for (const peer of ['raw', 'raw-stream']) {
        const key = `${name} vs ${peer}`;
        per.set(key, [...(per.get(key) ?? []), ms[peer]! / ms[name]!]);
      }
    }
  }
  for (const [key, r] of per) {
    console.log(
      `c=${c}, ${ROUNDS} rounds: ${key} ${median(r).toFixed(3)}x (min ${Math.min(...r).toFixed(3)}, max ${Math.max(...r).toFixed(3)})`,
    );
  }
}

/** Sequential calls (each compared subject, then raw), each timed on its own: the p50 differences. */
async function p50Overhead(): Promise<void> {
  const times = new Map<string, number[]>([...compared(), 'raw'].map((name) => [name, []]));
  for (let i = 0; i < PAIRS; i++) {
    for (const [name, list] of times) {
      const t = performance.now();
      await subjects[name]!();
      list.push(performance.now() - t);
    }
  }
  const us = (ms: number) => (ms * 1000).toFixed(1);
  const raw = median(times.get('raw')!);
  for (const name of compared()) {
    const p50 = median(times.get(name)!);
    console.log(
      `p50 overhead of ${name} (c=1, ${PAIRS} interleaved): ${us(p50 - raw)} µs (${name} ${us(p50)} µs, raw ${us(raw)} µs)`,
    );
  }
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
sim.close();
