/**
 * Where the p50 overhead of `complete()` over a raw undici request goes, phase by phase, at c=1
 * against @x/ollama-sim in a child process. Both make the same streamed request (the raw one reads
 * the NDJSON lines whole and parses each); undici's diagnostics channels time each phase of both
 * the same way:
 *
 *   before undici   from the call to undici's `request:create` (ours: validation, telemetry, the
 *                   tokens step, the rate limiter, the body, the breaker, the pool)
 *   request sent    `request:create` → `request:bodySent`
 *   server          `request:bodySent` → `request:headers`
 *   answer read     `request:headers` → `request:trailers`
 *   after undici    `request:trailers` → the call's promise settles (ours: the last line, the
 *                   response, the reconcile step, statistics)
 *
 * Calls alternate (ours, raw; then raw, ours); medians of each phase. Run from
 * packages/provider-ollama, built:
 *
 *   node --import tsx profile/phases.ts [--pairs=3000] [--warmup=4000] [--whole]
 *
 * `--whole`: `completeAs: 'whole'` beside the raw `stream: false` request, one JSON answer each.
 */
import { subscribe } from 'node:diagnostics_channel';
import { cliArg as arg, medianOf } from '@x/internal/testing';
import { createOllamaProvider } from '@x/provider-ollama';
import { Pool } from 'undici';
import {
  MODEL,
  measuredOptions,
  messages,
  rawStreamedChat,
  rawWholeChat,
  startSimChild,
} from './setup';

const PAIRS = Number(arg('pairs', '3000'));
// V8 settles the provider's path over the first few thousand calls (see apps/bench's
// overheadWarmup): the phases are timed after that.
const WARMUP = Number(arg('warmup', '4000'));

const WHOLE = process.argv.includes('--whole');

const sim = await startSimChild();
const provider = createOllamaProvider(measuredOptions(sim.url, WHOLE));
await provider.initialize();
const raw = new Pool(sim.url, { connections: 1 });

const subjects: Record<string, () => Promise<unknown>> = {
  ours: () => provider.complete({ model: MODEL, messages }),
  raw: WHOLE ? rawWholeChat(raw) : rawStreamedChat(raw),
};

// The first time each undici event fires during the call being timed (one request per call).
let marks: Record<string, number> = {};
const EVENTS = ['create', 'bodySent', 'headers', 'trailers'] as const;
for (const event of EVENTS) {
  subscribe(`undici:request:${event}`, () => {
    marks[event] ??= performance.now();
  });
}
const PHASES = [
  ['before undici', 'start', 'create'],
  ['request sent', 'create', 'bodySent'],
  ['server', 'bodySent', 'headers'],
  ['answer read', 'headers', 'trailers'],
  ['after undici', 'trailers', 'end'],
  ['whole call', 'start', 'end'],
] as const;

const phases = new Map<string, Map<string, number[]>>(
  Object.keys(subjects).map((name) => [name, new Map(PHASES.map(([phase]) => [phase, []]))]),
);
async function timed(name: string): Promise<void> {
  marks = {};
  const start = performance.now();
  await subjects[name]!();
  const at: Record<string, number> = { ...marks, start, end: performance.now() };
  for (const [phase, from, to] of PHASES) {
    if (at[from] !== undefined && at[to] !== undefined) {
      phases
        .get(name)!
        .get(phase)!
        .push((at[to]! - at[from]!) * 1000);
    }
  }
}

for (let i = 0; i < WARMUP; i++) for (const name of Object.keys(subjects)) await subjects[name]!();
for (let i = 0; i < PAIRS; i++) {
  const order = i % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
  for (const name of order) await timed(name);
}

console.log(`p50 of each phase, µs (${PAIRS} alternating pairs, c=1)`);
console.log(
  `${'phase'.padEnd(14)} ${'ours'.padStart(8)} ${'raw'.padStart(8)} ${'ours - raw'.padStart(11)}`,
);
for (const [phase] of PHASES) {
  const ours = medianOf(phases.get('ours')!.get(phase)!);
  const rawP50 = medianOf(phases.get('raw')!.get(phase)!);
  console.log(
    `${phase.padEnd(14)} ${ours.toFixed(1).padStart(8)} ${rawP50.toFixed(1).padStart(8)} ${(ours - rawP50).toFixed(1).padStart(11)}`,
  );
}

await provider.close();
await raw.close();
sim.close();
