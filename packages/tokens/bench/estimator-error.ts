/**
 * Measures the heuristic estimator against real tokenizers on the held-out half of the corpus
 * and prints the markdown table published in the README.
 *
 *   pnpm exec tsx bench/estimator-error.ts
 */
import { readFileSync } from 'node:fs';
import { getEncoding } from 'js-tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { estimateTokens } from '../src/estimate';
import { textFeatures } from '../src/internal/features';
import { type HeuristicProfile, heuristicCount, PROFILES } from '../src/internal/profiles';

interface Sample {
  id: string;
  kind: string;
  text: string;
}
const corpus: Sample[] = JSON.parse(
  readFileSync(new URL('../src/__fixtures__/corpus.json', import.meta.url), 'utf8'),
);
const heldOut = corpus.filter((_, i) => i % 2 === 1);

const o200k = getEncoding('o200k_base');
const targets: { name: string; count: (t: string) => number; profile: HeuristicProfile }[] = [
  {
    name: 'o200k_base (OpenAI)',
    count: (t) => o200k.encode(t, [], []).length,
    profile: PROFILES.openai,
  },
  {
    name: 'Llama 3 (Ollama llama3.x)',
    count: (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length,
    profile: PROFILES.ollama,
  },
  {
    name: 'Mistral v1 (Ollama mistral)',
    count: (t) => mistralTokenizer.encode(t, false, false).length,
    profile: PROFILES.mistral,
  },
];

const kinds = ['prose', 'code', 'json', 'cjk', 'multilingual', 'markdown', 'all'];
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.95 * (xs.length - 1))]!;

console.log(
  '| tokenizer | text | samples | flat 4 chars/token: mean abs (range) | original ratio: mean abs (range) | @x/tokens heuristic: mean abs (range) |',
);
console.log('|---|---|---|---|---|---|');
for (const target of targets) {
  const allErrors: number[] = [];
  for (const kind of kinds) {
    const samples = kind === 'all' ? heldOut : heldOut.filter((s) => s.kind === kind);
    const flat: number[] = [];
    const original: number[] = [];
    const ours: number[] = [];
    for (const s of samples) {
      const actual = target.count(s.text);
      const chars = [...s.text].length;
      flat.push(Math.round(chars * 0.25) / actual - 1);
      original.push(Math.round(chars * target.profile.ratio) / actual - 1);
      ours.push(heuristicCount(textFeatures(s.text), target.profile) / actual - 1);
    }
    if (kind === 'all') allErrors.push(...ours.map(Math.abs));
    const cell = (xs: number[]) =>
      `${(mean(xs.map(Math.abs)) * 100).toFixed(1)}% (${pct(Math.min(...xs))} … ${pct(Math.max(...xs))})`;
    console.log(
      `| ${target.name} | ${kind} | ${samples.length} | ${cell(flat)} | ${cell(original)} | ${cell(ours)} |`,
    );
  }
  // Margins: p95 of the absolute error on mostly-ASCII samples, and on the others (CJK, other
  // scripts, emoji), which errorMargin blends by the input's share of non-ASCII characters.
  const split = (ascii: boolean) =>
    heldOut
      .filter((s) => (s.kind === 'cjk' || s.kind === 'multilingual') !== ascii)
      .map((s) =>
        Math.abs(heuristicCount(textFeatures(s.text), target.profile) / target.count(s.text) - 1),
      );
  const provider = target.profile.name as 'openai' | 'ollama' | 'mistral';
  const within = heldOut.filter((s) => {
    const estimate = estimateTokens(s.text, { provider });
    return Math.abs(estimate.tokens / target.count(s.text) - 1) <= estimate.errorMargin;
  }).length;
  console.error(
    `${target.profile.name}: ${within}/${heldOut.length} held-out samples within the reported errorMargin`,
  );
  console.error(
    `${target.profile.name}: p95 abs error ${(p95(allErrors) * 100).toFixed(1)}%, ascii kinds ${(p95(split(true)) * 100).toFixed(1)}%, cjk+multilingual ${(p95(split(false)) * 100).toFixed(1)}%`,
  );
}
