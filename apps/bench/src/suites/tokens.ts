import type { Suite } from '../context';
import { mixedCorpus } from '../corpus';
import type { MicroCase, MicroGroup } from '../micro';

type Encoding = 'o200k_base' | 'cl100k_base';

interface Counter {
  library: string;
  name: string;
  count: (text: string) => number;
  /** ms from nothing loaded to the first count returned */
  loadMs: number;
}

async function timed(load: () => Promise<(text: string) => number>): Promise<{
  count: (text: string) => number;
  loadMs: number;
}> {
  const t0 = performance.now();
  const count = await load();
  count('warm up: the first call loads the ranks');
  return { count, loadMs: performance.now() - t0 };
}

async function peers(encoding: Encoding): Promise<{ counters: Counter[]; free: () => void }> {
  // ours first, so its load time does not profit from rank files the peers already imported
  const ours = await timed(async () => {
    const { countTokens } = await import('@x/tokens');
    return (text) => countTokens(text, { encoding });
  });
  const js = await timed(async () => {
    const { Tiktoken } = await import('js-tiktoken/lite');
    const ranks =
      encoding === 'o200k_base'
        ? (await import('js-tiktoken/ranks/o200k_base')).default
        : (await import('js-tiktoken/ranks/cl100k_base')).default;
    const enc = new Tiktoken(ranks);
    // no special tokens allowed or looked for: the text is ordinary text, as countTokens reads it
    return (text) => enc.encode(text, [], []).length;
  });
  const gpt = await timed(async () => {
    const mod =
      encoding === 'o200k_base'
        ? await import('gpt-tokenizer/encoding/o200k_base')
        : await import('gpt-tokenizer/encoding/cl100k_base');
    // an empty disallowed set: special-token strings are ordinary text, and no scan looks for them
    const ordinary = { disallowedSpecial: new Set<string>() };
    return (text) => mod.countTokens(text, ordinary);
  });
  let free = () => {};
  const wasm = await timed(async () => {
    const { get_encoding } = await import('tiktoken');
    const enc = get_encoding(encoding);
    free = () => enc.free();
    return (text) => enc.encode_ordinary(text).length;
  });
  return {
    counters: [
      { library: '@x/tokens', name: '@x/tokens countTokens()', ...ours },
      { library: 'js-tiktoken', name: 'js-tiktoken encode(text, [], []).length', ...js },
      {
        library: 'gpt-tokenizer',
        name: 'gpt-tokenizer countTokens(text, { disallowedSpecial: new Set() })',
        ...gpt,
      },
      { library: 'tiktoken (WASM)', name: 'tiktoken (WASM) encode_ordinary().length', ...wasm },
    ],
    free,
  };
}

export const tokensSuite: Suite = {
  name: 'tokens',
  title: '@x/tokens: token counting',
  packages: ['@x/tokens'],
  async prepare() {
    const corpus = mixedCorpus();
    const texts = corpus.samples.map((s) => s.text);
    const avgBytes = corpus.bytes / texts.length;
    const groups: MicroGroup[] = [];
    const frees: (() => void)[] = [];
    const notes: string[] = [
      `Corpus: ${texts.length} samples, ${(corpus.bytes / 1024).toFixed(0)} KiB: this repository's Markdown documentation, the packages' TypeScript sources, generated JSON and Chinese/Japanese text. One operation counts one sample (${avgBytes.toFixed(0)} bytes on average), cycling through them, so tokenizers that memoise pieces see the repetition real traffic has.`,
    ];
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      const { counters, free } = await peers(encoding);
      frees.push(free);
      const reference = counters.find((c) => c.library === 'js-tiktoken')!;
      const facts: Record<string, string> = {};
      // js-tiktoken is the slowest by far: count the corpus with it once
      const expected = texts.map((t) => reference.count(t));
      for (const c of counters) {
        facts[`first call (load) ${c.library}`] = `${c.loadMs.toFixed(0)} ms`;
        if (c === reference) continue;
        const equal = texts.filter((t, i) => c.count(t) === expected[i]).length;
        facts[`counts equal to js-tiktoken, ${c.library}`] = `${equal}/${texts.length} samples`;
      }
      const cases: MicroCase[] = counters.map((c) => {
        let i = 0;
        return {
          name: c.name,
          library: c.library,
          role: c.library === '@x/tokens' ? 'ours' : 'peer',
          fn: () => c.count(texts[i++ % texts.length]!),
        };
      });
      groups.push({
        name: `count ${encoding}, one corpus sample, memo caches warm`,
        description: `count the tokens of one corpus sample with the ${encoding} encoding, cycling through the samples (caches that memoise pieces keep them between calls); every counter reads special-token strings as ordinary text, as countTokens does by default, so none scans the text for them first`,
        targets: [{ vs: 'gpt-tokenizer', min: 1 }],
        cases,
        facts: (rows) => {
          const out: Record<string, string> = { ...facts };
          for (const r of rows) {
            if (Number.isFinite(r.opsPerSec)) {
              out[`throughput ${r.library}`] =
                `${((r.opsPerSec * avgBytes) / 1e6).toFixed(2)} MB/s`;
            }
          }
          return out;
        },
      });
    }
    return {
      groups,
      notes,
      close() {
        for (const f of frees) f();
      },
    };
  },
};
