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
  /** Tabs (other control characters count in `controls`). */
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
  /** Groups of three digits beyond the first two in digit runs over 6 digits (`ceil(n/3) - 2`). */
  digitGroups: number;
  /** Spaces beyond the 16th of a run of spaces. */
  spaceExcess: number;
  /** Line breaks beyond the 3rd of a run of them (not counted in `breaks`). */
  breakExcess: number;
  /** Tabs beyond the 4th of a run of them (not counted in `tabs`). */
  tabExcess: number;
  /** ASCII letters beyond the 20th of a word, unlike the letter before. */
  wordExcess: number;
  /** ASCII letters beyond the 20th of a word, repeating the letter before (`aaaa...`). */
  repeatExcess: number;
  /**
   * Characters of a run of base64 characters (letters, digits, `+/=-_`) longer than 16 that mixes
   * upper case, lower case and digits: base64, a JWT, a generated key. Such text breaks
   * into far more tokens than words and digit runs of the same length (about 1 per 1.5
   * characters in o200k_base, where the other features give 1 per 2.4).
   */
  denseExcess: number;
  /**
   * CRs beyond the 3rd line break of a run of them (`\r\n\r\n...`, a Windows text's blank
   * lines): tokenizers merge CRLF runs at another rate than LF runs (o200k_base: 4 CRLFs a token,
   * 16 LFs). The LF of a CRLF is no line break of its own: the pair is one, as it is one token.
   */
  crlfExcess: number;
  /** Lone CRs (no LF after) beyond the 3rd line break of a run: old Mac text, a progress bar's. */
  crExcess: number;
  /**
   * Control characters other than tab, LF and CR (NUL, ESC, DEL...), and a space directly before
   * one: BPE vocabularies hold almost no merges of them, so each is about a token of its own.
   */
  controls: number;
  /** A space after a tab or a tab after a space (`' \t \t'`): alternating whitespace merges little. */
  spaceTabSwitches: number;
  /**
   * Characters beyond the 17th of a punctuation run, repeating the one before, of the rule
   * characters `# * - . / = _ % + ~` (merged into long tokens: 16-64 a token in o200k_base).
   */
  ruleExcess: number;
  /** The same for the other punctuation characters (2-16 a token in o200k_base). */
  punctRepeatExcess: number;
  /** Characters beyond the 17th of a punctuation run, unlike the one before. */
  punctMixExcess: number;
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
  'digitGroups',
  'spaceExcess',
  'breakExcess',
  'tabExcess',
  'wordExcess',
  'repeatExcess',
  'denseExcess',
  'crlfExcess',
  'crExcess',
  'controls',
  'spaceTabSwitches',
  'ruleExcess',
  'punctRepeatExcess',
  'punctMixExcess',
] as const satisfies readonly (keyof TextFeatures)[];

export type FeatureName = (typeof FEATURE_NAMES)[number];
