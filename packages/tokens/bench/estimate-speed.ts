/**
 * Times `estimateTokens(text, { provider })` per call on plain English and on code (the
 * corpus's held-out prose and code samples, each made unique so the feature memo never hits),
 * median of 7 rounds after a warm-up, and prints µs per call and per KB (CPU time of this
 * process, which other processes on the machine disturb less than wall time).
 *
 *   pnpm exec tsx bench/estimate-speed.ts
 */
import { readFileSync } from 'node:fs';
import { estimateTokens } from '../src/estimate';
import type { Provider } from '../src/types';

interface Sample {
  kind: string;
  text: string;
}
const corpus: Sample[] = JSON.parse(
  readFileSync(new URL('../src/__fixtures__/corpus.json', import.meta.url), 'utf8'),
);
const ROUNDS = 7;
const CALLS = 4_000;
// Warm-up: the first timed configuration would otherwise carry the JIT's compilation.
for (const s of corpus) for (let i = 0; i < 20; i++) estimateTokens(`${s.text} ${i}`);
for (const kind of ['prose', 'code']) {
  const texts = corpus.filter((s) => s.kind === kind).map((s) => s.text);
  const bytes = texts.reduce((n, t) => n + t.length, 0) / texts.length;
  for (const provider of ['openai', 'ollama'] as Provider[]) {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A counter appended to each text: a new string every call, as a new prompt is.
      const inputs = Array.from(
        { length: CALLS },
        (_, i) => `${texts[i % texts.length]} ${round}-${i}`,
      );
      const started = process.cpuUsage();
      for (const input of inputs) estimateTokens(input, { provider });
      const used = process.cpuUsage(started);
      times.push((used.user + used.system) / CALLS);
    }
    times.sort((a, b) => a - b);
    const median = times[ROUNDS >> 1]!;
    console.log(
      `${kind.padEnd(6)} ${provider.padEnd(7)} ${median.toFixed(2)} µs/call (${(median / (bytes / 1024)).toFixed(2)} µs/KB, ${Math.round(bytes)} chars avg)`,
    );
  }
}
