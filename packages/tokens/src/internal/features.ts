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

enum Kind {
  None = 0,
  Letter = 1,
  Digit = 2,
  Punct = 3,
  Space = 4,
  Other = 5,
  Alphabetic = 6,
}

export function textFeatures(text: string): TextFeatures {
  const f: TextFeatures = {
    chars: 0,
    words: 0,
    letters: 0,
    digitRuns: 0,
    digits: 0,
    punctRuns: 0,
    puncts: 0,
    prefixed: 0,
    breaks: 0,
    tabs: 0,
    indents: 0,
    cjk: 0,
    kana: 0,
    hangul: 0,
    latin: 0,
    alphabetic: 0,
    other: 0,
    astral: 0,
  };
  let previous = Kind.None;
  let spaceRun = 0;
  let punctRun = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    f.chars++;
    let kind: Kind;
    if (code < 0x80) {
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
        kind = Kind.Letter;
        f.letters++;
        if (previous !== Kind.Letter) f.words++;
        if (previous === Kind.Punct) {
          // The punctuation mark joins the word (`[^\p{L}\p{N}]?\p{L}+` in tiktoken-style splits).
          f.puncts--;
          f.prefixed++;
          if (punctRun === 1) f.punctRuns--;
        }
      } else if (code >= 0x30 && code <= 0x39) {
        kind = Kind.Digit;
        f.digits++;
        if (previous !== Kind.Digit) f.digitRuns++;
      } else if (code === 0x20) {
        kind = Kind.Space;
        spaceRun++;
        if (spaceRun === 2) f.indents++;
      } else if (code === 0x0a || code === 0x0d) {
        kind = Kind.Space;
        f.breaks++;
      } else if (code < 0x20 || code === 0x7f) {
        kind = Kind.Space;
        f.tabs++;
      } else {
        kind = Kind.Punct;
        f.puncts++;
        if (previous !== Kind.Punct) {
          f.punctRuns++;
          punctRun = 0;
        }
        punctRun++;
      }
    } else if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) {
      kind = Kind.Letter;
      f.latin++;
      if (previous !== Kind.Letter) f.words++;
    } else if (code >= 0x370 && code <= 0x6ff) {
      kind = Kind.Alphabetic;
      f.alphabetic++;
    } else {
      kind = Kind.Other;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
        f.astral++;
      } else if (code >= 0x3040 && code <= 0x30ff) {
        f.kana++;
      } else if (
        (code >= 0x3000 && code <= 0x303f) ||
        (code >= 0x3400 && code <= 0x4dbf) ||
        (code >= 0x4e00 && code <= 0x9fff) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xff00 && code <= 0xffef)
      ) {
        f.cjk++;
      } else if ((code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff)) {
        f.hangul++;
      } else {
        f.other++;
      }
    }
    if (code !== 0x20) spaceRun = 0;
    previous = kind;
  }
  return f;
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
