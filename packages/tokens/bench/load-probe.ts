/**
 * Measures one library's first-call cost in a fresh process: import + build the o200k_base
 * tokenizer + count one short string. Spawned by tokens.bench.ts; prints milliseconds.
 */
const lib = process.argv[2];
const started = performance.now();
let count = 0;
if (lib === '@x/tokens') {
  const { countTokens } = await import('../src/index');
  count = countTokens('tiktoken is great!', { encoding: 'o200k_base' });
} else if (lib === 'js-tiktoken') {
  const { getEncoding } = await import('js-tiktoken');
  count = getEncoding('o200k_base').encode('tiktoken is great!').length;
} else if (lib === 'gpt-tokenizer') {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  count = countTokens('tiktoken is great!');
} else if (lib === 'tiktoken') {
  const { get_encoding } = await import('tiktoken');
  count = get_encoding('o200k_base').encode('tiktoken is great!').length;
} else {
  throw new Error(`unknown library ${lib}`);
}
const elapsed = performance.now() - started;
if (count !== 6) throw new Error(`${lib} counted ${count}, expected 6`);
process.stdout.write(`${elapsed.toFixed(1)}\n`);
