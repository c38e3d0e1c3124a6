/**
 * Prints the tables of src/internal/emoji-costs.ts: what o200k_base and Llama 3 spend on each
 * emoji of U+1F000-U+1FAFF, as a default per block of 64 code points (the emoji sharing their
 * first three UTF-8 bytes, which byte-level BPE merges alike) and the emoji that differ from it.
 * Mistral v1's costs are src/internal/common-emoji.ts's (1 token, else 4 byte tokens).
 *
 *   pnpm exec tsx bench/emoji-tables.ts
 */
import { getEncoding } from 'js-tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';

const o200k = getEncoding('o200k_base');
const families: [string, (t: string) => number][] = [
  ['o200k_base', (t) => o200k.encode(t, [], []).length],
  ['Llama 3', (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length],
];
const emoji = /\p{Extended_Pictographic}|\p{Emoji_Modifier}/u;
for (const [name, count] of families) {
  let defaults = '';
  const exceptions: Record<number, string> = {};
  for (let block = 0; block < 44; block++) {
    const costs = new Map<number, number>();
    const seen: [string, number][] = [];
    for (let cp = 0x1f000 + block * 64; cp < 0x1f040 + block * 64; cp++) {
      const e = String.fromCodePoint(cp);
      if (!emoji.test(e)) continue;
      const cost = count(e);
      seen.push([e, cost]);
      costs.set(cost, (costs.get(cost) ?? 0) + 1);
    }
    // No emoji in the block: the cost of a 4-byte character without merges (3: two bytes merge).
    const usual = [...costs].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 3;
    defaults += usual;
    for (const [e, cost] of seen)
      if (cost !== usual) exceptions[cost] = (exceptions[cost] ?? '') + e;
  }
  console.log(`${name}: blocks '${defaults}'`);
  for (const [cost, list] of Object.entries(exceptions)) console.log(`  ${cost}: '${list}'`);
}
