import { COMMON_EMOJI_BITS } from './common-emoji';
import { FEATURE_NAMES, type TextFeatures } from './feature-names';

export { FEATURE_NAMES, type FeatureName, type TextFeatures } from './feature-names';

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
const DIGIT_GROUPS = 17;
const SPACE_EXCESS = 18;
const BREAK_EXCESS = 19;
const TAB_EXCESS = 20;
const WORD_EXCESS = 21;
const REPEAT_EXCESS = 22;
const DENSE_EXCESS = 23;
const CRLF_EXCESS = 24;
const CR_EXCESS = 25;
const CONTROLS = 26;
const SPACE_TAB_SWITCHES = 27;
const RULE_EXCESS = 28;
const PUNCT_REPEAT_EXCESS = 29;
const PUNCT_MIX_EXCESS = 30;
const COMMON_EMOJI = 31;
const MARKS = 32;
const CRS = 33;
const RULE_JUNCTIONS = 34;
const REGIONAL_INDICATORS = 35;
const TAG_CHARACTERS = 36;
const SUPPLEMENTAL_EMOJI = 37;
/** The slot of the character count in a feature vector. */
export const CHARS = 38;
/** The length of a feature vector. */
export const VECTOR_LENGTH = 39;

// Runs longer than any in the fitting corpus (digit runs of up to 6, spaces 12, line breaks 3,
// tabs 2, words 20) are where per-character weights fail: tokenizers split digits in groups of
// three and merge long runs of whitespace or of one letter into a few tokens. Beyond these
// lengths a run's characters count in the `*Excess` features, whose weights were calibrated on
// such runs (src/internal/long-runs.test.ts); below them the fitted features are unchanged.
const DIGIT_RUN_FIT = 6;
const SPACE_RUN_FIT = 16;
const BREAK_RUN_FIT = 3;
const TAB_RUN_FIT = 4;
const WORD_FIT = 20;
/** Punctuation runs: the corpus's longest is a markdown table rule of 17 (`|---|---|---|---|`). */
const PUNCT_RUN_FIT = 17;
/**
 * Runs of one rule character: the corpus has none longer than 3 (`---`, `===`, `...`), and
 * tokenizers merge longer ones whole (o200k_base: `-` × 16, × 32, × 64 and × 80 are one token
 * each), so the per-character weight of punctuation would count `-` × 80 as three tokens.
 */
const RULE_RUN_FIT = 3;

/** Base64-like runs: the corpus has none mixing cases and digits past 16 characters. */
const DENSE_FIT = 16;
// Bits of what a base64-like run has shown.
const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const MIXED = UPPER | LOWER | DIGIT;

// Run kinds: what the previous character continues (a word, a digit run, a punctuation run).
const NONE = 0;
const WORD = 1;
const DIGIT_RUN = 2;
const PUNCT_RUN = 3;

/**
 * Counts the features of `text` into `out` (FEATURE_NAMES order, then CHARS), in one pass and
 * without allocating: the estimator runs on every request. The counts are locals (registers), and
 * the branches test ASCII first: measured, that beats a per-code-unit lookup table, which costs a
 * load per character and spreads CJK text over 64 KiB.
 */
export function countFeatures(text: string, out: Float64Array): void {
  // Flags', tags' and newer emoji's slots: rare characters, counted there directly.
  out.fill(0, REGIONAL_INDICATORS, SUPPLEMENTAL_EMOJI + 1);
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
  let digitGroups = 0;
  let spaceExcess = 0;
  let breakExcess = 0;
  let crlfExcess = 0;
  let crExcess = 0;
  let tabExcess = 0;
  let wordExcess = 0;
  let repeatExcess = 0;
  let denseExcess = 0;
  let controls = 0;
  let spaceTabSwitches = 0;
  let ruleExcess = 0;
  let punctRepeatExcess = 0;
  let punctMixExcess = 0;
  let commonEmoji = 0;
  let marks = 0;
  let crs = 0;
  let ruleJunctions = 0;
  /** How many times the current punctuation run's last character repeats at its end. */
  let sameRun = 0;
  /** Changes of character in the current punctuation run, and whether it holds a `---`. */
  let changes = 0;
  let ruleInRun = false;
  /** The excess counter the last punctuation character went to (0: none, it was in `puncts`). */
  let lastExcess = 0;
  let denseRun = 0;
  let denseMix = 0;
  let denseCounted = false;
  let previous = NONE;
  let spaceRun = 0;
  let punctRun = 0;
  let breakRun = 0;
  let tabRun = 0;
  let wordRun = 0;
  let digitRun = 0;
  let previousCode = -1;
  let next = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    chars++;
    let run = NONE;
    if (code < 0x80) {
      // base64's alphabet (and base64url's `-_`): letters, digits, + / = - _
      if (
        (code >= 0x41 && code <= 0x5a) ||
        (code >= 0x61 && code <= 0x7a) ||
        (code >= 0x30 && code <= 0x39) ||
        code === 0x2b ||
        code === 0x2f ||
        code === 0x3d ||
        code === 0x2d ||
        code === 0x5f
      ) {
        denseMix |=
          code <= 0x39 && code >= 0x30
            ? DIGIT
            : code >= 0x61
              ? LOWER
              : code >= 0x41 && code <= 0x5a
                ? UPPER
                : 0;
        if (++denseRun > DENSE_FIT && denseMix === MIXED) {
          // the whole run counts once it shows itself: its first characters too
          denseExcess += denseCounted ? 1 : denseRun;
          denseCounted = true;
        }
      } else {
        denseRun = 0;
        denseMix = 0;
        denseCounted = false;
      }
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
        run = WORD;
        letters++;
        if (previous !== WORD) {
          words++;
          wordRun = 0;
        }
        if (++wordRun > WORD_FIT) {
          if (code === previousCode) repeatExcess++;
          else wordExcess++;
        }
        if (previous === PUNCT_RUN) {
          // The punctuation mark joins the word (`[^\p{L}\p{N}]?\p{L}+` in tiktoken-style splits).
          if (lastExcess === RULE_EXCESS) ruleExcess--;
          else if (lastExcess === PUNCT_REPEAT_EXCESS) punctRepeatExcess--;
          else if (lastExcess === PUNCT_MIX_EXCESS) punctMixExcess--;
          else puncts--;
          prefixed++;
          if (punctRun === 1) punctRuns--;
        }
      } else if (code >= 0x30 && code <= 0x39) {
        run = DIGIT_RUN;
        digits++;
        if (previous !== DIGIT_RUN) {
          digitRuns++;
          digitRun = 0;
        }
        // A group starts at digits 7, 10, 13...: ceil(n / 3) - 2 groups beyond the fitted two.
        if (++digitRun > DIGIT_RUN_FIT && digitRun % 3 === 1) digitGroups++;
      } else if (code === 0x20) {
        if (previousCode === 0x09) spaceTabSwitches++;
        spaceRun++;
        if (spaceRun === 2) indents++;
        else if (spaceRun > SPACE_RUN_FIT) spaceExcess++;
      } else if (code === 0x0a || code === 0x0d) {
        // The LF of a CRLF: the pair is one line break, counted at its CR.
        if (code === 0x0d || previousCode !== 0x0d) {
          if (++breakRun <= BREAK_RUN_FIT) {
            // A lone CR (progress output, old Mac text) has a rate of its own: a LF merges with
            // the indentation after it and a CR does not, and between short lines a CR costs a
            // token where the corpus's LFs cost more (Mistral v1: 2.2).
            if (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a) crs++;
            else breaks++;
          } else if (code === 0x0a) breakExcess++;
          else if (text.charCodeAt(i + 1) === 0x0a) crlfExcess++;
          else crExcess++;
        }
      } else if (code === 0x09) {
        if (previousCode === 0x20) spaceTabSwitches++;
        if (++tabRun > TAB_RUN_FIT) tabExcess++;
        else tabs++;
      } else if (code < 0x20 || code === 0x7f) {
        controls += previousCode === 0x20 ? 2 : 1;
      } else {
        run = PUNCT_RUN;
        if (previous !== PUNCT_RUN) {
          punctRuns++;
          punctRun = 0;
          changes = 0;
          ruleInRun = false;
        }
        if (++punctRun > 1 && code === previousCode) {
          sameRun++;
        } else {
          sameRun = 1;
          // A run holding a rule of `-` or `=` (`|---|---|`, `+-----+`, `|:---:|`) splits into a
          // token at each change of character, those before the rule included.
          if (punctRun > 1) {
            changes++;
            if (ruleInRun) ruleJunctions++;
          }
        }
        if (sameRun === 3 && !ruleInRun && (code === 0x2d || code === 0x3d)) {
          ruleInRun = true;
          ruleJunctions += changes;
        }
        if (
          sameRun > 1 &&
          (sameRun > RULE_RUN_FIT || punctRun > PUNCT_RUN_FIT) &&
          (code === 0x23 || // #
            code === 0x2a || // *
            code === 0x2d || // -
            code === 0x2e || // .
            code === 0x2f || // /
            code === 0x3d || // =
            code === 0x5f) // _
        ) {
          ruleExcess++;
          lastExcess = RULE_EXCESS;
        } else if (punctRun <= PUNCT_RUN_FIT) {
          puncts++;
          lastExcess = 0;
        } else if (code !== previousCode) {
          punctMixExcess++;
          lastExcess = PUNCT_MIX_EXCESS;
        } else {
          punctRepeatExcess++;
          lastExcess = PUNCT_REPEAT_EXCESS;
        }
      }
    } else if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) {
      // Accented Latin letters continue a word (but a punctuation mark does not join them).
      run = WORD;
      latin++;
      if (previous !== WORD) {
        words++;
        wordRun = 0;
      }
    } else if (code >= 0x300 && code <= 0x36f) {
      // `e` + U+0301 is an `é` in two code points: the word goes on (tokenizers' pre-splitting
      // keeps marks in words), and the mark is what it costs beyond the letter.
      marks++;
      if (previous === WORD) run = WORD;
    } else if (code >= 0x370 && code <= 0x6ff) {
      alphabetic++;
    } else if (
      code >= 0xd800 &&
      code <= 0xdbff &&
      (next = text.charCodeAt(i + 1)) >= 0xdc00 &&
      next <= 0xdfff
    ) {
      // A pair is one character. A lone surrogate is `other`: UTF-8 encoders write U+FFFD for it.
      i++;
      const offset = ((code - 0xd800) << 10) + next - 0xdc00 + 0x10000 - 0x1f000;
      if (offset >= 0 && offset < 0xb00) {
        if ((COMMON_EMOJI_BITS[offset >>> 5]! >>> (offset & 31)) & 1) commonEmoji++;
        // Flags (U+1F1E6-U+1F1FF), then the emoji of U+1F900-U+1FAFF: none in the corpus, whose fit
        // of `astral` (emoji of 2 tokens in o200k_base, weighed 1.07) is not theirs.
        else if (offset >= 0x1e6 && offset <= 0x1ff) out[REGIONAL_INDICATORS]!++;
        else if (offset >= 0x900) out[SUPPLEMENTAL_EMOJI]!++;
        else astral++;
      } else if (offset >= 0xc1020 && offset <= 0xc107f) {
        out[TAG_CHARACTERS]!++; // U+E0020-U+E007F: a subdivision flag's tags (🏴 + `gbsct` + end)
      } else {
        astral++;
      }
    } else if (code >= 0x3040 && code <= 0x30ff) {
      kana++;
    } else if (
      (code >= 0x3000 && code <= 0x303f) ||
      (code >= 0x3400 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xff00 && code <= 0xffef)
    ) {
      cjk++;
    } else if ((code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff)) {
      hangul++;
    } else {
      other++;
    }
    if (code >= 0x80) {
      denseRun = 0;
      denseMix = 0;
      denseCounted = false;
    }
    if (code !== 0x20) spaceRun = 0;
    if (code !== 0x0a && code !== 0x0d) breakRun = 0;
    if (code !== 0x09) tabRun = 0;
    previous = run;
    previousCode = code;
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
  out[DIGIT_GROUPS] = digitGroups;
  out[SPACE_EXCESS] = spaceExcess;
  out[BREAK_EXCESS] = breakExcess;
  out[TAB_EXCESS] = tabExcess;
  out[WORD_EXCESS] = wordExcess;
  out[REPEAT_EXCESS] = repeatExcess;
  out[DENSE_EXCESS] = denseExcess;
  out[CRLF_EXCESS] = crlfExcess;
  out[CR_EXCESS] = crExcess;
  out[CONTROLS] = controls;
  out[SPACE_TAB_SWITCHES] = spaceTabSwitches;
  out[RULE_EXCESS] = ruleExcess;
  out[PUNCT_REPEAT_EXCESS] = punctRepeatExcess;
  out[PUNCT_MIX_EXCESS] = punctMixExcess;
  out[COMMON_EMOJI] = commonEmoji;
  out[MARKS] = marks;
  out[CRS] = crs;
  out[RULE_JUNCTIONS] = ruleJunctions;
  out[CHARS] = chars;
}

/** Characters the ASCII-centred features predict least well, of a feature vector. */
export function nonAsciiOf(vector: Float64Array): number {
  // Han, kana, Hangul, accented Latin, other scripts, other symbols, astral; emoji and marks.
  let nonAscii = vector[COMMON_EMOJI]! + vector[MARKS]!;
  for (let i = CJK; i <= ASTRAL; i++) nonAscii += vector[i]!;
  for (let i = REGIONAL_INDICATORS; i <= SUPPLEMENTAL_EMOJI; i++) nonAscii += vector[i]!;
  return nonAscii;
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
