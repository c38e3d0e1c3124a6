import { COMMON_EMOJI_BITS } from './common-emoji';
import { EMOJI_COSTS, emojiAt } from './emoji-costs';
import { FEATURE_NAMES, type TextFeatures } from './feature-names';
// One name for the slots: they are 46, and a list of them would be longer than this file allows.
import * as slot from './feature-slots';

export { FEATURE_NAMES, type FeatureName, type TextFeatures } from './feature-names';
export { CHARS, nonAsciiOf, VECTOR_LENGTH } from './feature-slots';

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
// Runs of one rule character: the corpus has none past 3 (`---`, `===`); tokenizers merge longer
// ones whole (o200k_base: `-` × 16, 32, 64, 80 are a token each), not three as punctuation weighs.
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
  // Flags', tags', emoji runs', keycaps' and aligned rules' slots: rare, counted there directly.
  out.fill(0, slot.REGIONAL_INDICATORS, slot.ALIGNED_RULE_EXCESS + 1);
  let emojiEnd = -2; // the last code unit of the last emoji a run can continue (-2: none)
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
          if (lastExcess === slot.RULE_EXCESS) ruleExcess--;
          else if (lastExcess === slot.PUNCT_REPEAT_EXCESS) punctRepeatExcess--;
          else if (lastExcess === slot.PUNCT_MIX_EXCESS) punctMixExcess--;
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
          lastExcess = slot.RULE_EXCESS;
          // A rule of 32, 48, 64 or 80 alone on its line is one token in o200k_base, cl100k_base
          // and Llama 3 (their vocabularies hold those lengths whole: × 79 is 2 tokens).
          if (
            (sameRun & 15) === 0 &&
            sameRun >= 32 &&
            sameRun <= 80 &&
            punctRun === sameRun &&
            code !== 0x2e &&
            code !== 0x2f &&
            code !== 0x5f
          ) {
            const after = text.charCodeAt(i + 1);
            if (i + 1 === length || after === 0x0a || after === 0x0d || after === 0x20) {
              ruleExcess -= sameRun - RULE_RUN_FIT;
              out[slot.ALIGNED_RULE_EXCESS]! += sameRun - RULE_RUN_FIT;
            }
          }
        } else if (punctRun <= PUNCT_RUN_FIT) {
          puncts++;
          lastExcess = 0;
        } else if (code !== previousCode) {
          punctMixExcess++;
          lastExcess = slot.PUNCT_MIX_EXCESS;
        } else {
          punctRepeatExcess++;
          lastExcess = slot.PUNCT_REPEAT_EXCESS;
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
      if (
        offset >= 0 &&
        offset < 0xb00 &&
        (offset < 0x1e6 || offset > 0x1ff) &&
        (emojiEnd === i - 2 || emojiAt(text, i + 1))
      ) {
        // An emoji next to another: a run, which the corpus does not hold (see emoji-costs.ts).
        const cost = EMOJI_COSTS[offset]!;
        out[slot.RUN_EMOJI]!++;
        out[slot.RUN_EMOJI_O200K]! += (cost & 3) - 1;
        out[slot.RUN_EMOJI_LLAMA3]! += ((cost >>> 2) & 3) - 1;
        if ((cost & 16) === 0) out[slot.RUN_EMOJI_MISTRAL]! += 3;
        emojiEnd = i;
      } else if (offset >= 0 && offset < 0xb00) {
        if (offset < 0x1e6 || offset > 0x1ff) emojiEnd = i;
        if ((COMMON_EMOJI_BITS[offset >>> 5]! >>> (offset & 31)) & 1) commonEmoji++;
        // Flags (U+1F1E6-U+1F1FF), then the emoji of U+1F900-U+1FAFF: none in the corpus, whose fit
        // of `astral` (emoji of 2 tokens in o200k_base, weighed 1.07) is not theirs.
        else if (offset >= 0x1e6 && offset <= 0x1ff) out[slot.REGIONAL_INDICATORS]!++;
        else if (offset >= 0x900) out[slot.SUPPLEMENTAL_EMOJI]!++;
        else astral++;
      } else if (offset >= 0xc1020 && offset <= 0xc107f) {
        out[slot.TAG_CHARACTERS]!++; // U+E0020-U+E007F: a subdivision flag's tags (🏴 + `gbsct` + end)
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
    } else if (code === 0x20e3 && previousCode === 0xfe0f && i >= 2) {
      // A keycap (`1️⃣`): its three characters are one feature. The U+FE0F was `other`, the
      // digit a digit run of its own (or a punctuation mark).
      const base = text.charCodeAt(i - 2);
      // A digit takes no space into its token (a `#` or `*` does): the space is one of its own.
      const spaced = text.charCodeAt(i - 3) === 0x20 ? 1 : 0;
      if (base >= 0x30 && base <= 0x39) {
        other--;
        digits--;
        if (digitRun === 1) digitRuns--;
        out[slot.KEYCAPS]!++;
        out[slot.KEYCAP_SPACES]! += spaced;
      } else if ((base === 0x23 || base === 0x2a) && lastExcess === 0) {
        other--;
        puncts--;
        if (punctRun === 1) punctRuns--;
        out[slot.KEYCAPS]!++;
      } else {
        other++;
      }
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
  out[slot.WORDS] = words;
  out[slot.LETTERS] = letters;
  out[slot.DIGIT_RUNS] = digitRuns;
  out[slot.DIGITS] = digits;
  out[slot.PUNCT_RUNS] = punctRuns;
  out[slot.PUNCTS] = puncts;
  out[slot.PREFIXED] = prefixed;
  out[slot.BREAKS] = breaks;
  out[slot.TABS] = tabs;
  out[slot.INDENTS] = indents;
  out[slot.CJK] = cjk;
  out[slot.KANA] = kana;
  out[slot.HANGUL] = hangul;
  out[slot.LATIN] = latin;
  out[slot.ALPHABETIC] = alphabetic;
  out[slot.OTHER] = other;
  out[slot.ASTRAL] = astral;
  out[slot.DIGIT_GROUPS] = digitGroups;
  out[slot.SPACE_EXCESS] = spaceExcess;
  out[slot.BREAK_EXCESS] = breakExcess;
  out[slot.TAB_EXCESS] = tabExcess;
  out[slot.WORD_EXCESS] = wordExcess;
  out[slot.REPEAT_EXCESS] = repeatExcess;
  out[slot.DENSE_EXCESS] = denseExcess;
  out[slot.CRLF_EXCESS] = crlfExcess;
  out[slot.CR_EXCESS] = crExcess;
  out[slot.CONTROLS] = controls;
  out[slot.SPACE_TAB_SWITCHES] = spaceTabSwitches;
  out[slot.RULE_EXCESS] = ruleExcess;
  out[slot.PUNCT_REPEAT_EXCESS] = punctRepeatExcess;
  out[slot.PUNCT_MIX_EXCESS] = punctMixExcess;
  out[slot.COMMON_EMOJI] = commonEmoji;
  out[slot.MARKS] = marks;
  out[slot.CRS] = crs;
  out[slot.RULE_JUNCTIONS] = ruleJunctions;
  out[slot.CHARS] = chars;
}

/** The features of `text` as an object (the fitting and error scripts read them by name). */
export function textFeatures(text: string): TextFeatures {
  const vector = new Float64Array(slot.VECTOR_LENGTH);
  countFeatures(text, vector);
  const features = { chars: vector[slot.CHARS]! } as TextFeatures;
  FEATURE_NAMES.forEach((name, i) => {
    features[name] = vector[i]!;
  });
  return features;
}
