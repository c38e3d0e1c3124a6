/**
 * Builds the mixed corpus (prose, code, JSON, CJK, markdown; about 100 KB of UTF-8) that the
 * benchmark, the exactness tests and the estimator error table use. Deterministic: a seeded PRNG
 * recombines the hand-written seeds in `seeds.ts`, so rerunning it rewrites the same file.
 *
 *   pnpm exec tsx bench/corpus/generate.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@x/internal';
import {
  cjkParagraphs,
  codeSnippets,
  identifierWords,
  markdownBits,
  multilingualParagraphs,
  proseParagraphs,
  proseSentences,
} from './seeds';

export type SampleKind = 'prose' | 'code' | 'json' | 'cjk' | 'multilingual' | 'markdown';
export interface Sample {
  id: string;
  kind: SampleKind;
  text: string;
}

const random = createRandom(20261126);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);
const camel = (words: string[]) => words[0]! + words.slice(1).map(capital).join('');
const snake = (words: string[]) => words.join('_');
const words = (n: number) => Array.from({ length: n }, () => pick(identifierWords));

function proseSample(): string {
  const paragraphs: string[] = [];
  for (let p = int(1, 3); p > 0; p--) {
    const sentences = Array.from({ length: int(4, 8) }, () => pick(proseSentences));
    if (random() < 0.4)
      sentences.push(`The figure for ${int(2015, 2026)} was ${int(3, 9800)} units.`);
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

function tsFunction(): string {
  const name = camel(words(int(2, 3)));
  const [a, b] = [camel(words(2)), camel(words(1))];
  const limit = int(2, 5000);
  return [
    `/** Returns the ${words(2).join(' ')} for the given ${a}. */`,
    `export function ${name}(${a}: ${capital(b)}[], limit = ${limit}): Map<string, number> {`,
    `  const result = new Map<string, number>();`,
    `  for (const item of ${a}.slice(0, limit)) {`,
    `    const key = \`\${item.${camel(words(1))}}:\${item.id}\`;`,
    `    result.set(key, (result.get(key) ?? 0) + item.${camel(words(2))});`,
    `  }`,
    `  if (result.size === 0) throw new RangeError('no ${words(1)[0]} found');`,
    `  return result;`,
    `}`,
  ].join('\n');
}

function pyFunction(): string {
  const name = snake(words(int(2, 3)));
  const arg = snake(words(2));
  return [
    `def ${name}(${arg}, threshold=${(random() * 10).toFixed(2)}):`,
    `    """Filter ${words(2).join(' ')} entries above the threshold."""`,
    `    selected = [x for x in ${arg} if x.${snake(words(1))} > threshold]`,
    `    selected.sort(key=lambda x: (x.${snake(words(2))}, x.id), reverse=${random() < 0.5 ? 'True' : 'False'})`,
    `    return {x.id: x.${snake(words(1))} for x in selected[:${int(5, 500)}]}`,
  ].join('\n');
}

function record(): Record<string, unknown> {
  return {
    id: `${pick(identifierWords)}_${int(1000, 999999)}`,
    created: new Date(Date.UTC(2025, int(0, 11), int(1, 28), int(0, 23), int(0, 59))).toISOString(),
    model: pick(['llama3.2:3b', 'gpt-4o-mini', 'mistral:7b', 'gemini-2.5-flash', 'qwen2.5:7b']),
    usage: { prompt_tokens: int(5, 4000), completion_tokens: int(1, 900) },
    latency_ms: Math.round(random() * 250000) / 100,
    tags: words(int(1, 4)),
    ok: random() < 0.9,
    message: pick(proseSentences),
  };
}

function jsonSample(): string {
  const style = int(0, 2);
  if (style === 0) return JSON.stringify(Array.from({ length: int(3, 6) }, record), null, 2);
  if (style === 1) {
    return Array.from({ length: int(4, 8) }, () => JSON.stringify(record())).join('\n');
  }
  return JSON.stringify({
    model: pick(['gpt-4o', 'llama3.1:8b', 'claude-sonnet-4']),
    stream: random() < 0.5,
    options: { temperature: Math.round(random() * 100) / 100, num_ctx: pick([2048, 4096, 8192]) },
    messages: Array.from({ length: int(2, 5) }, (_, i) => ({
      role: i === 0 ? 'system' : i % 2 ? 'user' : 'assistant',
      content: Array.from({ length: int(1, 3) }, () => pick(proseSentences)).join(' '),
    })),
  });
}

function cjkSample(): string {
  return Array.from({ length: int(2, 4) }, () => pick(cjkParagraphs)).join('\n');
}

function multilingualSample(): string {
  return Array.from({ length: int(2, 3) }, () => pick(multilingualParagraphs)).join('\n\n');
}

function markdownSample(): string {
  const parts = [pick(markdownBits), pick(proseParagraphs), pick(markdownBits)];
  if (random() < 0.5) parts.push('```py\n' + pyFunction() + '\n```\n');
  if (random() < 0.3) parts.push(pick(cjkParagraphs));
  return parts.join('\n');
}

export function buildCorpus(): Sample[] {
  const samples: Sample[] = [];
  const add = (kind: SampleKind, text: string) =>
    samples.push({
      id: `${kind}-${samples.filter((s) => s.kind === kind).length + 1}`,
      kind,
      text,
    });
  for (const paragraph of proseParagraphs) add('prose', paragraph);
  for (let i = 0; i < 32; i++) add('prose', proseSample());
  for (const snippet of codeSnippets) add('code', snippet);
  for (let i = 0; i < 45; i++) add('code', random() < 0.5 ? tsFunction() : pyFunction());
  for (let i = 0; i < 16; i++) add('json', jsonSample());
  for (const paragraph of cjkParagraphs) add('cjk', paragraph);
  for (let i = 0; i < 24; i++) add('cjk', cjkSample());
  for (const paragraph of multilingualParagraphs) add('multilingual', paragraph);
  for (let i = 0; i < 20; i++) add('multilingual', multilingualSample());
  for (const bit of markdownBits) add('markdown', bit);
  for (let i = 0; i < 15; i++) add('markdown', markdownSample());
  return samples;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = buildCorpus();
  const out = new URL('../../src/__fixtures__/corpus.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(samples, null, 1)}\n`);
  const bytes = samples.reduce((sum, s) => sum + Buffer.byteLength(s.text), 0);
  const byKind: Record<string, number> = {};
  for (const s of samples) byKind[s.kind] = (byKind[s.kind] ?? 0) + Buffer.byteLength(s.text);
  console.log(`${samples.length} samples, ${bytes} bytes`, byKind);
}
