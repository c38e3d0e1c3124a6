import llama3Tokenizer from 'llama3-tokenizer-js';
import { corpus } from './src/__fixtures__/corpus';
import { estimateTokens } from './src/index';

const l = (t: string) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length;
for (const s of corpus.filter((s) => s.kind === 'code')) {
  const a = l(s.text);
  const e = estimateTokens(s.text, { provider: 'ollama' }).tokens;
  const f = Math.round(s.text.length * 0.25);
  console.log(
    s.id,
    a,
    'ours',
    ((e / a - 1) * 100).toFixed(0),
    'flat',
    ((f / a - 1) * 100).toFixed(0),
    JSON.stringify(s.text.slice(0, 50)),
  );
}
