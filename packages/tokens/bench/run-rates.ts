/**
 * Measures runs of 2,000 characters (each ASCII punctuation mark, control characters, alternating
 * whitespace, mixed punctuation) and a few shorter texts (emoji, rules, lone CRs, decomposed
 * accents) against the real tokenizers and prints, per tokenizer, the true count / the estimate ±
 * its margin, `!!` where the truth is outside tokens × (1 ± errorMargin). The run rates and
 * margins in src/internal/profiles.ts (`runClasses`) come from these counts and from
 * bench/feature-rates.ts.
 *
 *   pnpm exec tsx bench/run-rates.ts [label filter]
 */
import { getEncoding } from 'js-tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { estimateTokens } from '../src/estimate';

const o200k = getEncoding('o200k_base');
const cl100k = getEncoding('cl100k_base');
// cl100k_base has no profile of its own: its models get the `openai` one when not counted exactly.
const tk: [string, 'openai' | 'ollama' | 'mistral', (t: string) => number][] = [
  ['o200k', 'openai', (t) => o200k.encode(t, [], []).length],
  ['cl100k', 'openai', (t) => cl100k.encode(t, [], []).length],
  ['llama3', 'ollama', (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length],
  ['mistral', 'mistral', (t) => mistralTokenizer.encode(t, false, false).length],
];
const samples: Record<string, string> = {};
const punct = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
for (const c of punct) samples[`punct ${c}`] = c.repeat(2000);
samples['\\0 x2000'] = '\0'.repeat(2000);
samples['\\x01 x2000'] = '\x01'.repeat(2000);
samples['\\x1b x2000'] = '\x1b'.repeat(2000);
samples['\\x7f x2000'] = '\x7f'.repeat(2000);
samples['\\f x2000'] = '\f'.repeat(2000);
samples['\\v x2000'] = '\v'.repeat(2000);
samples['sp-tab x1000'] = ' \t'.repeat(1000);
samples['tab-sp x1000'] = '\t '.repeat(1000);
samples['\\0sp x1000'] = '\0 '.repeat(1000);
samples['sp\\0 x1000'] = ' \0'.repeat(1000);
samples['2sp2tab x500'] = '  \t\t'.repeat(500);
samples['sp-nl x1000'] = ' \n'.repeat(1000);
samples['mixed punct 2000'] = Array.from(
  { length: 2000 },
  (_, i) => punct[(i * 7919) % punct.length],
).join('');
samples['!? x1000'] = '!?'.repeat(1000);
samples['-= x1000'] = '-='.repeat(1000);
samples['emoji x2000'] = '😀'.repeat(2000);
samples['rare emoji x200'] = '🦩'.repeat(200);
samples['emoji, common x40'] = '😀😂👍🔥🎉🚀🙏👀🤔😊💪🟢'.repeat(40);
samples['emoji U+1F300-1FAFF'] = Array.from({ length: 0x800 }, (_, i) =>
  String.fromCodePoint(0x1f300 + i),
)
  .filter((emoji) => /\p{Extended_Pictographic}/u.test(emoji))
  .join('');
samples['emoji flags x20'] = '🇫🇷🇩🇪🇯🇵🇧🇷🇮🇳🇨🇦🇰🇪🇳🇿🇲🇽🇵🇱'.repeat(20);
samples['emoji flags US ES x20'] = '🇺🇸🇪🇸🇺🇦🇷🇺'.repeat(20);
samples['emoji subdivision x50'] = ['gbeng', 'gbsct', 'gbwls']
  .map(
    (r) =>
      `🏴${[...r].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}\u{E007F}`,
  )
  .join('')
  .repeat(50);
samples['emoji keycaps x50'] = '1️⃣2️⃣3️⃣#️⃣*️⃣'.repeat(50);
samples['emoji keycap after a space'] = ' 1️⃣';
samples['emoji 🟢 alone'] = '🟢';
samples['- x80'] = '-'.repeat(80);
samples['= x200'] = '='.repeat(200);
for (const n of [20, 72, 79, 80]) samples[`= x${n}`] = '='.repeat(n);
samples['|---|---|'] = '|---|---|';
samples['log, 20 × = x80'] = Array.from(
  { length: 20 },
  (_, i) => `Run ${i + 1} finished: 42 passed, 0 failed\n${'='.repeat(80)}`,
).join('\n');
samples['log, = x4 to x100'] = Array.from(
  { length: 97 },
  (_, i) => `Run ${i + 1} finished: 42 passed, 0 failed\n${'='.repeat(i + 4)}`,
).join('\n');
samples['a\\rb\\r...j'] = [...'abcdefghij'].join('\r');
samples['NFD French'] = 'Le résumé de la réunion a été présenté à l’équipe.'.normalize('NFD');
samples['ascii art'] = (
  '+' +
  '-'.repeat(78) +
  '+\n' +
  ('|' + ' '.repeat(78) + '|\n').repeat(3)
).repeat(10);
samples['x!!! sentence'] =
  'Wow!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!! Really?????????????????????? '.repeat(20);
const only = process.argv[2];
for (const [label, text] of Object.entries(samples)) {
  if (only && !label.includes(only)) continue;
  const row = tk.map(([n, p, c]) => {
    const a = c(text);
    const e = estimateTokens(text, { provider: p });
    return `${n} ${a}/${e.tokens}±${e.errorMargin}${Math.abs(a / e.tokens - 1) <= e.errorMargin ? '' : ' !!'}`;
  });
  console.log(JSON.stringify(label).padEnd(20), row.join(' | '));
}
