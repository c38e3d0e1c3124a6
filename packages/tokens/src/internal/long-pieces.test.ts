import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { countTokens } from '../count-tokens';

// One piece each (no regex split breaks them): the heap-based merge of pieces over 256 bytes.
let seed = 7;
function mixed(length: number): string {
  const symbols = [...'!?#%&*+<=>@^~😀🎉✨'];
  let text = '';
  while (text.length < length) {
    seed = (seed * 16_807) % 2_147_483_647;
    text += symbols[seed % symbols.length];
  }
  return text;
}

describe('long single pieces', () => {
  it('count as js-tiktoken counts them', () => {
    for (const name of ['o200k_base', 'cl100k_base'] as const) {
      const reference = getEncoding(name);
      // js-tiktoken's merge is quadratic: 1,000 characters keep this to seconds.
      for (const text of ['a'.repeat(1_003), '!?😀'.repeat(250), mixed(1_000), 'ab'.repeat(450)]) {
        expect(countTokens(text, { encoding: name }), `${name} ${text.slice(0, 6)}`).toBe(
          reference.encode(text).length,
        );
      }
    }
  }, 60_000);

  // 100,000 characters take js-tiktoken minutes and tiktoken (Rust, wasm) 7-24 s each, so their
  // counts are pinned: tiktoken 1.0.22's `encode_ordinary(text).length`, run once.
  it.each([
    ['o200k_base', 'a × 1e5', () => 'a'.repeat(1e5), 12_500],
    ['o200k_base', '!?😀 × 2.5e4', () => '!?😀'.repeat(2.5e4), 50_000],
    ['o200k_base', 'mixed symbols and emoji', () => mixedFrom(7), 79_251],
    ['cl100k_base', 'a × 1e5', () => 'a'.repeat(1e5), 12_500],
    ['cl100k_base', '!?😀 × 2.5e4', () => '!?😀'.repeat(2.5e4), 75_000],
  ] as const)('%s: %s counts as tiktoken does', (name, _, text, count) => {
    expect(countTokens(text(), { encoding: name })).toBe(count);
  });

  it('counts millions of bytes of one piece within a 64 MB heap', () => {
    // The merge kept growable arrays and a string per candidate pair: ~150 bytes of heap a
    // character, a fatal out-of-memory here. Its typed arrays now live outside the JS heap.
    const source = fileURLToPath(new URL('../index.ts', import.meta.url));
    const script = `import { countTokens } from ${JSON.stringify(source)};
      console.log(countTokens('a'.repeat(2e6), { model: 'gpt-4o' }) + countTokens('!?😀'.repeat(2e5), { model: 'gpt-4o' }));`;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--max-old-space-size=64', '--input-type=module', '-e', script],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(Number(out.trim())).toBe(250_000 + 400_000);
  }, 60_000);
});

/** The same 100,000-character mix the pinned count was taken from. */
function mixedFrom(start: number): string {
  seed = start;
  return mixed(1e5);
}
