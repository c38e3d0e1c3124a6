/**
 * Measures the rates of the features that the corpus does not hold (or too rarely to fit them):
 * flags, subdivision flags' tags, the emoji of U+1F900-U+1FAFF, common emoji, runs of emoji,
 * keycaps, combining marks,
 * lone CRs, runs of rule characters, other repeated punctuation and table rules. Every sample
 * gives the rate that would make its estimate exact against each reference tokenizer,
 * (true count - the other features' tokens) / the feature's count, and the script prints their
 * range with the rate (lo + hi) / 2 and margin (hi - lo) / (hi + lo) that cover them all, as
 * `runClasses` in src/internal/profiles.ts takes them. A sample made from texts of the corpus's
 * training half (decomposed, given CR line endings) or from shorter lines gives what it adds to
 * them, their estimates standing for their true counts. It also prints the emoji Mistral
 * v1 holds whole (`COMMON_EMOJI_BITS` in src/internal/common-emoji.ts).
 *
 *   pnpm exec tsx bench/feature-rates.ts [feature filter]
 */
import { readFileSync } from 'node:fs';
import mistralTokenizer from 'mistral-tokenizer-js';
import { referenceTokenizers } from '../src/__fixtures__/reference-tokenizers';
import { FEATURE_NAMES, type FeatureName, textFeatures } from '../src/internal/features';
import { type HeuristicProfile, PROFILES } from '../src/internal/profiles';

const vocabulary = (mistralTokenizer as unknown as { vocabById: string[] }).vocabById;
const whole = vocabulary
  .map((piece) => piece.replace(/^\u2581/, ''))
  .filter((piece) => [...piece].length === 1 && piece.codePointAt(0)! > 0xffff);
console.log(
  `Mistral v1 single-token characters outside the BMP (${whole.length}): ${whole.join('')}`,
);

const corpus: { kind: string; text: string }[] = JSON.parse(
  readFileSync(new URL('../src/__fixtures__/corpus.json', import.meta.url), 'utf8'),
);
const train = corpus.filter((_, i) => i % 2 === 0);
const profiles: Record<string, HeuristicProfile> = {
  openai: PROFILES.openai,
  ollama: PROFILES.ollama,
  mistral: PROFILES.mistral,
};

const table = (columns: number, width: number, edge: string, fill = '-') =>
  `${edge}${`${fill.repeat(width)}|`.repeat(columns - 1)}${fill.repeat(width)}${edge}`;
const progress = [
  Array.from({ length: 50 }, (_, i) => `Downloading model: ${i * 2}% complete`).join('\r'),
  Array.from({ length: 40 }, (_, i) => `step ${i} of 40 done`).join('\r'),
  Array.from({ length: 30 }, (_, i) => `[${'#'.repeat(i % 20).padEnd(20)}] ${i * 5}%`).join('\r'),
  Array.from({ length: 25 }, (_, i) => `\rUploading file.tar.gz ... ${i * 4}% ${i * 12} MB/s`).join(
    '',
  ),
];

/**
 * A sample, or a sample and the texts it was made from: its rate is then what it adds to them,
 * their estimates standing for their true counts (decomposing the corpus's accented text, giving
 * it CR line endings, joining progress lines with CRs).
 */
type Sample = string | readonly [text: string, ...bases: string[]];
const crText = (text: string) => text.replaceAll('\n', '\r');
// Every pair of regional indicators but 🇺 and 🇸 (which Mistral v1 holds whole: `commonEmoji`),
// subdivision flags (🏴, a region's tag characters, U+E007F), and the emoji of U+1F900-U+1FAFF
// but the common ones: alone, repeated and between words.
const letters = [...'ABCDEFGHIJKLMNOPQRTVWXYZ'].map((c) => c.charCodeAt(0) - 0x41 + 0x1f1e6);
const flags = letters.flatMap((a) => letters.map((b) => String.fromCodePoint(a, b)));
const subdivisions = [
  'gbeng',
  'gbsct',
  'gbwls',
  'usca',
  'ustx',
  'frbre',
  'deby',
  'esct',
  'itrm',
].map(
  (region) =>
    `🏴${[...region].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}\u{E007F}`,
);
const supplemental = Array.from({ length: 0x200 }, (_, i) =>
  String.fromCodePoint(0x1f900 + i),
).filter((emoji) => /\p{Extended_Pictographic}/u.test(emoji) && !whole.includes(emoji));
const inText = (emoji: string) => [emoji, emoji.repeat(10), `Team ${emoji} wins. `.repeat(5)];
const groups: { feature: FeatureName; samples: Sample[] }[] = [
  { feature: 'regionalIndicators', samples: flags.flatMap(inText) },
  { feature: 'tagCharacters', samples: subdivisions.flatMap(inText) },
  { feature: 'supplementalEmoji', samples: supplemental.flatMap(inText) },
  {
    feature: 'commonEmoji',
    samples: [
      ...whole.map((emoji) => emoji.repeat(20)),
      ...whole.map((emoji) => ` ${emoji}`.repeat(20)),
      whole.join('').repeat(5),
    ],
  },
  {
    // Runs of emoji are counted from src/internal/emoji-costs.ts's tables: a rate of 1 here, with
    // the spread of what BPE merges across neighbours.
    feature: 'runEmoji',
    samples: [
      ...whole.map((emoji) => emoji.repeat(20)),
      whole.join('').repeat(5),
      ...supplemental.map((emoji) => emoji.repeat(10)),
      Array.from({ length: 0x800 }, (_, i) => String.fromCodePoint(0x1f300 + i))
        .filter((emoji) => /\p{Extended_Pictographic}/u.test(emoji))
        .join(''),
    ],
  },
  {
    feature: 'keycaps',
    samples: [
      '1️⃣2️⃣3️⃣#️⃣*️⃣'.repeat(50),
      ...[...'0123456789#*'].map((c) => `${c}\uFE0F\u20E3`),
      'Step 1️⃣, then 2️⃣: done. '.repeat(10),
      'Press *️⃣ or #️⃣, then 5️⃣. '.repeat(10),
    ],
  },
  {
    // What decomposing an accented text adds to it: the composed text is the corpus's own.
    feature: 'marks',
    samples: train
      .filter((s) => /[\u00c0-\u024f]/.test(s.text) && !/[\uac00-\ud7af]/.test(s.text))
      .map((s) => [s.text.normalize('NFD'), s.text] as const),
  },
  {
    // What a CR adds where a LF was (old Mac text), or between lines (a progress line rewritten).
    feature: 'crs',
    samples: [
      ...train.filter((s) => s.text.includes('\n')).map((s) => [crText(s.text), s.text] as const),
      ...progress.map((text) => [text, ...text.split('\r').filter(Boolean)] as const),
    ],
  },
  {
    feature: 'ruleExcess',
    samples: [...'#*-./=_'].flatMap((c) => [500, 1_000, 2_000].map((n) => c.repeat(n))),
  },
  {
    feature: 'punctRepeatExcess',
    samples: [...'!"$%&\'()+,:;<>?@[\\]^`{|}~'].map((c) => c.repeat(2_000)),
  },
  {
    feature: 'ruleJunctions',
    samples: [2, 3, 6, 10].flatMap((columns) =>
      [3, 5, 8].flatMap((width) => [
        table(columns, width, '|'),
        table(columns, width, ''),
        table(columns, width, '+').replaceAll('|', '+'),
        table(columns, width, '|', '='),
        table(columns, width + 2, '|')
          .replaceAll('|-', '|:')
          .replaceAll('-|', ':|'),
      ]),
    ),
  },
];

const only = process.argv[2];
for (const { feature, samples } of groups) {
  if (only !== undefined && !feature.includes(only)) continue;
  const index = FEATURE_NAMES.indexOf(feature);
  for (const { name, provider, count } of referenceTokenizers) {
    const profile = profiles[provider]!;
    const weighed = (text: string, leaveOut: number) => {
      const features = textFeatures(text);
      let tokens = 0;
      FEATURE_NAMES.forEach((n, i) => {
        if (i !== leaveOut) tokens += features[n] * profile.weights[n];
      });
      return { tokens, own: features[feature] };
    };
    // (Samples without the feature, such as runs of emoji for the features of emoji alone, say
    // nothing of its rate.)
    const rates = samples.flatMap((sample) => {
      const [text, ...bases] = typeof sample === 'string' ? [sample] : sample;
      const { tokens: others, own } = weighed(text, index);
      if (own === 0) return [];
      let left = count(text) - others;
      for (const base of bases) left += weighed(base, -1).tokens - count(base);
      return [left / own];
    });
    // No weight is below 0: a sample the other features already count high asks for 0.
    const lo = Math.max(0, Math.min(...rates));
    const hi = Math.max(...rates);
    console.log(
      `${feature.padEnd(17)} ${name.padEnd(11)} ${String(rates.length).padStart(3)} samples, ${lo.toFixed(4)} … ${hi.toFixed(4)}: rate ${((lo + hi) / 2).toFixed(4)} ± ${((hi - lo) / (hi + lo)).toFixed(2)}`,
    );
  }
}
