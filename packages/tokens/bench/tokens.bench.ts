/**
 * Token counting throughput on the ~100 KB mixed corpus (prose, code, JSON, CJK, markdown), side
 * by side in one process: @x/tokens countTokens vs js-tiktoken encode().length, gpt-tokenizer
 * countTokens and tiktoken (WASM) encode().length, for o200k_base and cl100k_base. One operation
 * counts every sample of the corpus. "warm": the libraries' memo caches are kept between
 * operations (a server counting similar prompts); "cold": @x/tokens' and gpt-tokenizer's caches
 * are cleared before every operation (js-tiktoken and tiktoken have no cache: warm only). Load time (import + first count) is measured in a fresh
 * process per library.
 *
 *   pnpm bench            # 5 interleaved rounds, ~30-60 s (busier machine: longer)
 *   pnpm bench --quick    # one short round, a smoke run
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as gptCl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as gptO200k from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { Bench } from 'tinybench';
import { clearCountCache, countTokens, type EncodingName } from '../src/index';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const corpus: { kind: string; text: string }[] = JSON.parse(
  readFileSync(new URL('../src/__fixtures__/corpus.json', import.meta.url), 'utf8'),
);
const texts = corpus.map((s) => s.text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

const probe = fileURLToPath(new URL('./load-probe.ts', import.meta.url));
const load: Record<string, number> = {};
for (const lib of ['@x/tokens', 'gpt-tokenizer', 'js-tiktoken', 'tiktoken']) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe, lib], { encoding: 'utf8' });
  load[lib] = Number(out.trim());
}

const sum = (count: (text: string) => number) => {
  let total = 0;
  for (const text of texts) total += count(text);
  return total;
};

const rows: { encoding: string; mode: string; lib: string; opsPerSec: number }[] = [];
console.log(`${new Date().toISOString()}, Node ${process.version}`);
const gpt = { o200k_base: gptO200k, cl100k_base: gptCl100k };

for (const encoding of ['o200k_base', 'cl100k_base'] as EncodingName[]) {
  const js = getEncoding(encoding);
  const wasm = get_encoding(encoding);
  const libs: Record<string, (text: string) => number> = {
    '@x/tokens': (t) => countTokens(t, { encoding }),
    'gpt-tokenizer': (t) => gpt[encoding].countTokens(t),
    'js-tiktoken': (t) => js.encode(t).length,
    'tiktoken (WASM)': (t) => wasm.encode(t).length,
  };
  // Identical counts on every sample, or the comparison is void.
  for (const [lib, count] of Object.entries(libs)) {
    for (const text of texts) {
      const expected = js.encode(text).length;
      const got = count(text);
      if (got !== expected) throw new Error(`${lib} counted ${got}, js-tiktoken ${expected}`);
    }
  }
  const tokens = sum(libs['js-tiktoken']!);
  console.log(
    `${encoding}: ${texts.length} samples, ${bytes} bytes, ${tokens} tokens; counts identical`,
  );
  // Interleaved rounds: the machine is shared, so each round runs every task briefly and the
  // median per task is kept; a burst of load then hits all libraries alike instead of one.
  const periods = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['warm', 'cold'] as const) {
      const bench = new Bench({
        time: quick ? 60 : 120,
        warmupTime: quick ? 20 : 40,
        iterations: quick ? 2 : 3,
      });
      for (const [lib, count] of Object.entries(libs)) {
        // js-tiktoken and tiktoken keep no cache: their cold run would repeat the warm one.
        if (mode === 'cold' && lib !== '@x/tokens' && lib !== 'gpt-tokenizer') continue;
        bench.add(`${mode}|${lib}`, () => {
          if (mode === 'cold') {
            clearCountCache();
            gpt[encoding].clearMergeCache();
          }
          sum(count);
        });
      }
      await bench.run();
      for (const task of bench.tasks) {
        const result = task.result;
        if (result.state !== 'completed') throw new Error(`${task.name} ${result.state}`);
        periods.set(task.name, [...(periods.get(task.name) ?? []), result.period]);
      }
    }
  }
  for (const [name, list] of periods) {
    const [mode, lib] = name.split('|') as [string, string];
    const sorted = [...list].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    rows.push({ encoding, mode, lib, opsPerSec: 1000 / median });
  }
  wasm.free();
}

console.log('\n| encoding | cache | library | corpus/s | MB/s | @x/tokens is |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  const ours = rows.find(
    (r) => r.encoding === row.encoding && r.mode === row.mode && r.lib === '@x/tokens',
  )!;
  const ratio = row.lib === '@x/tokens' ? '—' : `${(ours.opsPerSec / row.opsPerSec).toFixed(2)}×`;
  console.log(
    `| ${row.encoding} | ${row.mode} | ${row.lib} | ${row.opsPerSec.toFixed(1)} | ${((row.opsPerSec * bytes) / 1e6).toFixed(1)} | ${ratio} |`,
  );
}
console.log('\n| library | load + first count, o200k_base (fresh process) |');
console.log('|---|---|');
for (const [lib, ms] of Object.entries(load)) console.log(`| ${lib} | ${ms.toFixed(0)} ms |`);
