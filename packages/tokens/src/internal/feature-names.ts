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
  /** Line breaks (LF, CRLF), but for `crs`. */
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
  /**
   * Characters outside the BMP (emoji, rare ideographs), but for `commonEmoji`,
   * `regionalIndicators`, `tagCharacters` and `supplementalEmoji`.
   */
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
   * Characters beyond the 3rd of a run of one of the rule characters `# * - . / = _` (`-----`,
   * `=====`): merged into long tokens, up to 64 or 80 characters a token in o200k_base and Llama 3,
   * 16 in Mistral v1, so a rule of 80 costs what a rule of 4 does.
   */
  ruleExcess: number;
  /**
   * Characters beyond the 17th of a punctuation run repeating the one before, other than a rule
   * character (`!!!!`, `++++`: 2-32 a token in o200k_base).
   */
  punctRepeatExcess: number;
  /** Characters beyond the 17th of a punctuation run, unlike the one before. */
  punctMixExcess: number;
  /**
   * Characters outside the BMP that Mistral v1's vocabulary holds whole: the most used emoji
   * (😀 👍 🔥 🎉 🚀 🙏...), one token each there where other emoji take four byte tokens.
   */
  commonEmoji: number;
  /**
   * Combining diacritical marks (U+0300-U+036F): an accent written as a code point of its own
   * (`e` + U+0301, text in Unicode's decomposed form). A mark continues the word it follows.
   */
  marks: number;
  /** Lone CRs (no LF after) among the first 3 line breaks of a run (not counted in `breaks`). */
  crs: number;
  /**
   * Changes of character in a punctuation run that holds a run of 3 or more `-` or `=`: a
   * markdown table's `|---|:---:|` or a box's `+-----+` (o200k_base splits there: `|---|---|` is
   * 5 tokens, where the other features give it 1).
   */
  ruleJunctions: number;
  /**
   * Regional indicators (U+1F1E6-U+1F1FF) but for the two Mistral v1 holds whole (🇺 🇸): a
   * flag is two of them, 4 tokens in o200k_base.
   */
  regionalIndicators: number;
  /** Tag characters (U+E0020-U+E007F): the letters and end of a subdivision flag (🏴 + `gbsct`). */
  tagCharacters: number;
  /**
   * Characters of U+1F900-U+1FAFF (Supplemental Symbols and Pictographs and its Extended-A:
   * 🦩 🪿 🫠) but for the common ones: 2-3 tokens each in o200k_base.
   */
  supplementalEmoji: number;
  /**
   * Emoji of U+1F000-U+1FAFF next to another (`🎉🚀🔥`), but for regional indicators: counted
   * with the next three features (tokens beyond one each, from src/internal/emoji-costs.ts's
   * tables) instead of `commonEmoji`, `astral` and `supplementalEmoji`, whose corpus fit is of
   * emoji one at a time after a space (the corpus has no runs).
   */
  runEmoji: number;
  /** o200k_base's tokens beyond one for each of `runEmoji` (0-2). */
  runEmojiO200k: number;
  /** Llama 3's (and cl100k_base's) tokens beyond one for each of `runEmoji` (1-2). */
  runEmojiLlama3: number;
  /** Mistral v1's tokens beyond one for each of `runEmoji` (0, else 3 byte tokens more). */
  runEmojiMistral: number;
  /**
   * Keycaps (`1️⃣`: a digit, `#` or `*`, U+FE0F, U+20E3): 2 tokens in o200k_base, 5 in Llama 3
   * and Mistral v1. Their characters count here only.
   */
  keycaps: number;
  /**
   * Digit keycaps after a space: a digit takes no space into its token, so the space is one of
   * its own there, in every family measured (a `#` or `*` takes it).
   */
  keycapSpaces: number;
  /**
   * `ruleExcess` of a rule of `- = * #` of 32, 48, 64 or 80 characters alone (before a line break,
   * a space or the end): one token in o200k_base, cl100k_base and Llama 3, as long as any
   * 16 (`=` × 80 is 1, × 79 is 2); Mistral v1 still spends one per 16.
   */
  alignedRuleExcess: number;
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
  'commonEmoji',
  'marks',
  'crs',
  'ruleJunctions',
  'regionalIndicators',
  'tagCharacters',
  'supplementalEmoji',
  'runEmoji',
  'runEmojiO200k',
  'runEmojiLlama3',
  'runEmojiMistral',
  'keycaps',
  'keycapSpaces',
  'alignedRuleExcess',
] as const satisfies readonly (keyof TextFeatures)[];

export type FeatureName = (typeof FEATURE_NAMES)[number];
