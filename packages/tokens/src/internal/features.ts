/**
 * Character-class features of a text, the inputs of the heuristic estimator. Tokenizers treat
 * these classes very differently (an English word is often one token, a Han character often one
 * or two, a run of punctuation in code several), which is why a single tokens-per-character
 * ratio is far off on code and CJK text.
 */
export interface TextFeatures {
  /** Characters (UTF-16 code points, astral counted once). */
  chars: number;
  /** Runs of ASCII letters (roughly, words). */
  words: number;
  /** ASCII letters. */
  letters: number;
  /** Runs of ASCII digits. */
  digitRuns: number;
  /** ASCII digits. */
  digits: number;
  /** Runs of ASCII punctuation and symbols. */
  punctRuns: number;
  /** ASCII punctuation and symbols. */
  puncts: number;
  /** Punctuation directly before a word (`.id`, `_name`, `(self`), often merged into it. */
  prefixed: number;
  /** Line breaks. */
  breaks: number;
  /** Tabs and other control characters. */
  tabs: number;
  /** Runs of two or more spaces (indentation, alignment). */
  indents: number;
  /** Han ideographs, CJK punctuation and full-width forms. */
  cjk: number;
  /** Hiragana and katakana. */
  kana: number;
  /** Hangul syllables and jamo. */
  hangul: number;
  /** Accented Latin letters (U+00C0-U+024F); they also continue an ASCII word. */
  latin: number;
  /** Greek, Cyrillic, Armenian, Hebrew and Arabic letters (U+0370-U+06FF). */
  alphabetic: number;
  /** Other characters in the Basic Multilingual Plane (symbols, other scripts...). */
  other: number;
  /** Characters outside the BMP (emoji, rare ideographs). */
  astral: number;
}

/** Feature names in the order of a profile's weight vector. */
export const FEATURE_NAMES = [
  'words',
  'letters',
  'digitRuns',
  'digits',
  'punctRuns',
  'puncts',
  'prefixed',
  'breaks',
  'tabs',
  'indents',
  'cjk',
  'kana',
  'hangul',
  'latin',
  'alphabetic',
  'other',
  'astral',
] as const satisfies readonly (keyof TextFeatures)[];

export type FeatureName = (typeof FEATURE_NAMES)[number];

// Slots of a feature vector: the features in FEATURE_NAMES order, then the character count.
const WORDS = 0;
const LETTERS = 1;
const DIGIT_RUNS = 2;
const DIGITS = 3;
const PUNCT_RUNS = 4;
const PUNCTS = 5;
const PREFIXED = 6;
const BREAKS = 7;
const TABS = 8;
const INDENTS = 9;
const CJK = 10;
const KANA = 11;
const HANGUL = 12;
const LATIN = 13;
const ALPHABETIC = 14;
const OTHER = 15;
const ASTRAL = 16;
/** The slot of the character count in a feature vector. */
export const CHARS = 17;
/** The length of a feature vector. */
export const VECTOR_LENGTH = 18;

// Character classes of BMP code units. The ones below 8 are also the run kinds the features
// depend on (a word, a digit run, a punctuation run, spaces); the others are counted alone.
const LETTER = 1;
const DIGIT = 2;
const PUNCT = 3;
const SPACE = 4;
const BREAK = 5;
const TAB = 6;
const LATIN_LETTER = 7;
const ALPHABETIC_LETTER = 8;
const HIGH_SURROGATE = 9;
const KANA_CHAR = 10;
const CJK_CHAR = 11;
const HANGUL_CHAR = 12;
const OTHER_CHAR = 13;

/** One class per UTF-16 code unit, so the scan is a table lookup instead of range tests. */
const CLASSES = (() => {
  const table = new Uint8Array(0x10000).fill(OTHER_CHAR);
  const range = (from: number, to: number, kind: number) => table.fill(kind, from, to + 1);
  range(0x00, 0x1f, TAB);
  range(0x21, 0x7e, PUNCT);
  table[0x7f] = TAB;
  table[0x0a] = BREAK;
  table[0x0d] = BREAK;
  table[0x20] = SPACE;
  range(0x30, 0x39, DIGIT);
  range(0x41, 0x5a, LETTER);
  range(0x61, 0x7a, LETTER);
  range(0xc0, 0x24f, LATIN_LETTER);
  table[0xd7] = OTHER_CHAR;
  table[0xf7] = OTHER_CHAR;
  range(0x370, 0x6ff, ALPHABETIC_LETTER);
  range(0x1100, 0x11ff, HANGUL_CHAR);
  range(0x3000, 0x303f, CJK_CHAR);
  range(0x3040, 0x30ff, KANA_CHAR);
  range(0x3400, 0x4dbf, CJK_CHAR);
  range(0x4e00, 0x9fff, CJK_CHAR);
  range(0xac00, 0xd7af, HANGUL_CHAR);
  range(0xd800, 0xdbff, HIGH_SURROGATE);
  range(0xf900, 0xfaff, CJK_CHAR);
  range(0xff00, 0xffef, CJK_CHAR);
  return table;
})();

/**
 * Counts the features of `text` into `out` (FEATURE_NAMES order, then CHARS), in one pass and
 * without allocating: the estimator runs on every request.
 */
export function countFeatures(text: string, out: Float64Array): void {
  let chars = 0;
  let words = 0;
  let letters = 0;
  let digitRuns = 0;
  let digits = 0;
  let punctRuns = 0;
  let puncts = 0;
  let prefixed = 0;
  let breaks = 0;
  let tabs = 0;
  let indents = 0;
  let cjk = 0;
  let kana = 0;
  let hangul = 0;
  let latin = 0;
  let alphabetic = 0;
  let other = 0;
  let astral = 0;
  // The run kind of the previous character: LETTER, DIGIT, PUNCT, SPACE, or 0 (none, other).
  let previous = 0;
  let spaceRun = 0;
  let punctRun = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const kind = CLASSES[text.charCodeAt(i)]!;
    chars++;
    let run = 0;
    switch (kind) {
      case LETTER:
        run = LETTER;
        letters++;
        if (previous !== LETTER) words++;
        if (previous === PUNCT) {
          // The punctuation mark joins the word (`[^\p{L}\p{N}]?\p{L}+` in tiktoken-style splits).
          puncts--;
          prefixed++;
          if (punctRun === 1) punctRuns--;
        }
        break;
      case DIGIT:
        run = DIGIT;
        digits++;
        if (previous !== DIGIT) digitRuns++;
        break;
      case PUNCT:
        run = PUNCT;
        puncts++;
        if (previous !== PUNCT) {
          punctRuns++;
          punctRun = 0;
        }
        punctRun++;
        break;
      case SPACE:
        run = SPACE;
        spaceRun++;
        if (spaceRun === 2) indents++;
        break;
      case BREAK:
        run = SPACE;
        breaks++;
        break;
      case TAB:
        run = SPACE;
        tabs++;
        break;
      case LATIN_LETTER:
        run = LETTER;
        latin++;
        if (previous !== LETTER) words++;
        break;
      case ALPHABETIC_LETTER:
        alphabetic++;
        break;
      case HIGH_SURROGATE:
        // A pair is one character; a lone high surrogate counts as one too, the last one as other.
        if (i + 1 < length) {
          const next = text.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) i++;
          astral++;
        } else {
          other++;
        }
        break;
      case KANA_CHAR:
        kana++;
        break;
      case CJK_CHAR:
        cjk++;
        break;
      case HANGUL_CHAR:
        hangul++;
        break;
      default:
        other++;
    }
    if (kind !== SPACE) spaceRun = 0;
    previous = run;
  }
  out[WORDS] = words;
  out[LETTERS] = letters;
  out[DIGIT_RUNS] = digitRuns;
  out[DIGITS] = digits;
  out[PUNCT_RUNS] = punctRuns;
  out[PUNCTS] = puncts;
  out[PREFIXED] = prefixed;
  out[BREAKS] = breaks;
  out[TABS] = tabs;
  out[INDENTS] = indents;
  out[CJK] = cjk;
  out[KANA] = kana;
  out[HANGUL] = hangul;
  out[LATIN] = latin;
  out[ALPHABETIC] = alphabetic;
  out[OTHER] = other;
  out[ASTRAL] = astral;
  out[CHARS] = chars;
}

/** Characters the ASCII-centred features predict least well, of a feature vector. */
export function nonAsciiOf(vector: Float64Array): number {
  return (
    vector[CJK]! +
    vector[KANA]! +
    vector[HANGUL]! +
    vector[LATIN]! +
    vector[ALPHABETIC]! +
    vector[OTHER]! +
    vector[ASTRAL]!
  );
}

/** The features of `text` as an object (the fitting and error scripts read them by name). */
export function textFeatures(text: string): TextFeatures {
  const vector = new Float64Array(VECTOR_LENGTH);
  countFeatures(text, vector);
  const features = { chars: vector[CHARS]! } as TextFeatures;
  FEATURE_NAMES.forEach((name, i) => {
    features[name] = vector[i]!;
  });
  return features;
}
