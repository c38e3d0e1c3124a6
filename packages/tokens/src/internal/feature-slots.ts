// Slots of a feature vector: the features in FEATURE_NAMES order, then the character count.
export const WORDS = 0;
export const LETTERS = 1;
export const DIGIT_RUNS = 2;
export const DIGITS = 3;
export const PUNCT_RUNS = 4;
export const PUNCTS = 5;
export const PREFIXED = 6;
export const BREAKS = 7;
export const TABS = 8;
export const INDENTS = 9;
export const CJK = 10;
export const KANA = 11;
export const HANGUL = 12;
export const LATIN = 13;
export const ALPHABETIC = 14;
export const OTHER = 15;
export const ASTRAL = 16;
export const DIGIT_GROUPS = 17;
export const SPACE_EXCESS = 18;
export const BREAK_EXCESS = 19;
export const TAB_EXCESS = 20;
export const WORD_EXCESS = 21;
export const REPEAT_EXCESS = 22;
export const DENSE_EXCESS = 23;
export const CRLF_EXCESS = 24;
export const CR_EXCESS = 25;
export const CONTROLS = 26;
export const SPACE_TAB_SWITCHES = 27;
export const RULE_EXCESS = 28;
export const PUNCT_REPEAT_EXCESS = 29;
export const PUNCT_MIX_EXCESS = 30;
export const COMMON_EMOJI = 31;
export const MARKS = 32;
export const CRS = 33;
export const RULE_JUNCTIONS = 34;
export const REGIONAL_INDICATORS = 35;
export const TAG_CHARACTERS = 36;
export const SUPPLEMENTAL_EMOJI = 37;
export const RUN_EMOJI = 38;
export const RUN_EMOJI_O200K = 39;
export const RUN_EMOJI_LLAMA3 = 40;
export const RUN_EMOJI_MISTRAL = 41;
export const KEYCAPS = 42;
export const KEYCAP_SPACES = 43;
export const ALIGNED_RULE_EXCESS = 44;
/** The slot of the character count in a feature vector. */
export const CHARS = 45;
/** The length of a feature vector. */
export const VECTOR_LENGTH = 46;

/** Characters the ASCII-centred features predict least well, of a feature vector. */
export function nonAsciiOf(vector: Float64Array): number {
  // Han, kana, Hangul, accented Latin, other scripts, other symbols, astral; emoji and marks.
  let nonAscii = vector[COMMON_EMOJI]! + vector[MARKS]!;
  for (let i = CJK; i <= ASTRAL; i++) nonAscii += vector[i]!;
  for (let i = REGIONAL_INDICATORS; i <= SUPPLEMENTAL_EMOJI; i++) nonAscii += vector[i]!;
  nonAscii += vector[RUN_EMOJI]! + vector[KEYCAPS]!;
  return nonAscii;
}
