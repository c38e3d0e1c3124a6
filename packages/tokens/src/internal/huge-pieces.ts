import { withRustWhiteSpace } from './tiktoken-pattern';

// Why this file exists: V8's regex engine keeps one backtrack entry per character a greedy loop
// consumes when the loop's class can match a surrogate pair (`\p{L}`, `\p{M}`, `[^\s\p{L}\p{N}]`
// under the `u` flag), and throws "Maximum call stack size exceeded" past about 4 Mi entries.
// So `text.match(pattern)` fails on one piece of some 4.1 million CJK characters, U+FFFD or lone
// surrogates, where tiktoken (a non-backtracking engine) simply returns the piece. Classes within
// the BMP (`\s`) and one-byte strings take a loop without the entries and do not fail.

// Characters kept on each side of a run whose middle is cut out. The split patterns look at most
// a few characters past a run's edge (an optional leading character, a contraction, `\p{N}{1,3}`);
// 64 leaves a wide margin and keeps the shortened text small.
const KEEP = 64;

// Digits first (bit 1): the patterns split them three by three, so their runs are never cut.
const CLASS_ATOMS = [
  '\\p{N}',
  '\\s',
  '\\p{L}',
  '\\p{Lu}',
  '\\p{Lt}',
  '\\p{Lm}',
  '\\p{Lo}',
  '\\p{Ll}',
  '\\p{M}',
];
const NUMBER_BIT = 1;

/** Tests for the classes a pattern names (cl100k_base's `\p{L}` does not tell `A` from `漢`). */
function classTests(pattern: RegExp): RegExp[] {
  return CLASS_ATOMS.filter((atom, i) => i < 2 || pattern.source.includes(atom)).map(
    (atom) => new RegExp(`^${withRustWhiteSpace(atom)}$`, 'u'),
  );
}

// Characters the patterns name literally, or that match one case-insensitively (U+017F ſ is an
// `s` under `(?i:'s)`): each is a class of its own.
const LITERAL = /^[stremvld'\r\n /]$/iu;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * What a split pattern can tell about a code point: which of the classes it names it is in,
 * or for a character they name literally, the character itself. Two characters with the same
 * signature are interchangeable for the pattern.
 */
function signature(char: string, tests: RegExp[], cache: Map<string, number>): number {
  let bits = cache.get(char);
  if (bits !== undefined) return bits;
  if (LITERAL.test(char)) {
    bits = -(char.codePointAt(0) ?? 0) - 1;
  } else {
    bits = 0;
    for (let i = 0; i < tests.length; i++) {
      if (tests[i]!.test(char)) bits |= 1 << i;
    }
  }
  cache.set(char, bits);
  return bits;
}

/**
 * The pieces `text.match(pattern)` would return, as `[start, end]` offsets, for a text too long for
 * that: every run of more than 2 × 64 code points sharing one signature (but digits, which the
 * patterns split three by three) is shortened to its first and last 64, the pattern runs on the
 * shortened text, and the offsets are mapped back. The patterns (tiktoken's, made of class
 * loops, short optional parts and `\p{N}{1,3}`) read the middle of such a run as the inside of one
 * piece whatever its length, so the pieces around it and their edges are the same.
 * @param pattern a global regex (its `lastIndex` is reset).
 * @param keep the code points kept on each side of a cut (lower in tests).
 */
export function hugePieceBounds(text: string, pattern: RegExp, keep = KEEP): number[] {
  const tests = classTests(pattern);
  const cache = new Map<string, number>();
  // cuts: [from, to) code-unit ranges of `text` left out of `short`.
  const cuts: number[] = [];
  let runPoints = 0;
  let runSignature = Number.NaN;
  // Offsets of the code point `keep` after the run's start (where a cut begins).
  let headEnd = 0;
  const closeRun = (end: number) => {
    if (runPoints <= 2 * keep || (runSignature > 0 && (runSignature & NUMBER_BIT) !== 0)) return;
    // The cut ends `keep` code points before the run's end.
    let tail = end;
    for (let k = 0; k < keep; k++) {
      tail -= isLow(text.charCodeAt(tail - 1)) && isHigh(text.charCodeAt(tail - 2)) ? 2 : 1;
    }
    // A lone high surrogate kept before the cut and a lone low one after it would make a pair
    // (one astral letter) in the shortened text: keep more of the head (the character after a
    // lone high surrogate is never a low one).
    let head = headEnd;
    while (head < tail && isHigh(text.charCodeAt(head - 1)) && isLow(text.charCodeAt(tail))) {
      head += isHigh(text.charCodeAt(head)) && isLow(text.charCodeAt(head + 1)) ? 2 : 1;
    }
    if (head < tail) cuts.push(head, tail);
  };
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const bits = signature(text.slice(i, i + width), tests, cache);
    if (bits !== runSignature) {
      closeRun(i);
      runPoints = 0;
      runSignature = bits;
    }
    runPoints++;
    i += width;
    if (runPoints === keep) headEnd = i;
  }
  closeRun(text.length);

  // short: the text without the cuts; at[k]: where cut k (cuts[2k], cuts[2k + 1]) sits in it.
  let short = '';
  const at: number[] = [];
  let kept = 0;
  for (let c = 0; c < cuts.length; c += 2) {
    short += text.slice(kept, cuts[c]);
    at.push(short.length);
    kept = cuts[c + 1]!;
  }
  short += text.slice(kept);

  const bounds: number[] = [];
  // shift: code units cut out before the position reached in `short`.
  let shift = 0;
  let k = 0;
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(short)) !== null) {
    const start = match.index + shift;
    const end = match.index + match[0].length;
    // A cut inside the piece (never at its edge, as the middle of a run is inside one piece;
    // one at the end is given to this piece so that no character goes uncounted).
    while (k < at.length && at[k]! <= end) {
      shift += cuts[2 * k + 1]! - cuts[2 * k]!;
      k++;
    }
    bounds.push(start, end + shift);
  }
  return bounds;
}
