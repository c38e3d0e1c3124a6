/**
 * Fits the heuristic estimator's per-class weights against real tokenizers on the training half
 * of the corpus (non-negative least squares on relative error), then prints the weights to paste
 * into src/internal/profiles.ts. The error table itself is printed by `estimator-error.ts`.
 *
 *   pnpm exec tsx bench/fit-estimator.ts
 */
import { readFileSync } from 'node:fs';
import { getEncoding } from 'js-tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { FEATURE_NAMES, textFeatures } from '../src/internal/features';

interface Sample {
  id: string;
  kind: string;
  text: string;
}
const corpus: Sample[] = JSON.parse(
  readFileSync(new URL('../src/__fixtures__/corpus.json', import.meta.url), 'utf8'),
);
// Even-indexed samples train, odd-indexed samples are held out for the published table.
const train = corpus.filter((_, i) => i % 2 === 0);

const o200k = getEncoding('o200k_base');
const tokenizers: Record<string, (text: string) => number> = {
  o200k: (t) => o200k.encode(t, [], []).length,
  llama3: (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length,
  mistral: (t) => mistralTokenizer.encode(t, false, false).length,
};

function nnls(rows: number[][], targets: number[], weights: number[]): number[] {
  const k = rows[0]!.length;
  const w = new Array<number>(k).fill(0.1);
  for (let iter = 0; iter < 4000; iter++) {
    for (let j = 0; j < k; j++) {
      let num = 0;
      let den = 0;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        let pred = 0;
        for (let c = 0; c < k; c++) if (c !== j) pred += row[c]! * w[c]!;
        const sw = weights[r]!;
        num += sw * row[j]! * (targets[r]! - pred);
        den += sw * row[j]! * row[j]!;
      }
      w[j] = den > 0 ? Math.max(0, num / den) : 0;
    }
  }
  return w;
}

for (const [name, count] of Object.entries(tokenizers)) {
  const rows = train.map((s) => {
    const f = textFeatures(s.text);
    return FEATURE_NAMES.map((n) => f[n]);
  });
  const targets = train.map((s) => count(s.text));
  const weights = targets.map((t) => 1 / (t * t));
  const w = nnls(rows, targets, weights);
  const out = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, Number(w[i]!.toFixed(4))]));
  console.log(name, JSON.stringify(out));
}
