import { CountMemo, MAX_MEMO_TEXT, textMemo } from './count-memo';
import { hugePieceBounds } from './huge-pieces';
import { mergeCountLong, mergeStepsLong } from './long-merge';
import { RankTable } from './rank-table';
import { withRustWhiteSpace } from './tiktoken-pattern';
import { isAscii, utf8BinaryString } from './utf8';

/**
 * Where the texts a count asks for go while set, instead of being counted: the two passes of a
 * cooperative count (`src/count-async.ts`) record them, then give back their counts. `repeated`:
 * asked through {@link BpeCounter.countRepeated} (whose whole-text memo the first pass must not
 * fill with a placeholder). Set only for the span of one synchronous call.
 */
export type Deferral = (counter: BpeCounter, text: string, repeated: boolean) => number;

let deferral: Deferral | undefined;

/**
 * @internal Sets (or with `undefined` clears) the {@link Deferral} of every counter; returns the
 * one it replaces, for the caller to set again when it is done.
 */
export function deferCounts(next: Deferral | undefined): Deferral | undefined {
  const before = deferral;
  deferral = next;
  return before;
}

// Pieces counted between two yields of `countSteps` (~10-100 µs of ordinary text).
const PIECES_PER_STEP = 256;

// Characters of a piece whose encoding is a step of its own (~1-5 ms a megabyte).
const BIG_PIECE = 1 << 18;

/** The shape of js-tiktoken's rank files (`js-tiktoken/ranks/<encoding>`). */
export interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

const NO_RANK = Number.POSITIVE_INFINITY;

/**
 * Decodes js-tiktoken's compact rank format ("<prefix> <offset> <base64> <base64> ..." per line,
 * ranks counting up from the offset) into a Map keyed by the token's bytes as a binary string.
 */
function parseRanks(bpeRanks: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of bpeRanks.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    let rank = Number.parseInt(fields[1] ?? '', 10);
    for (let i = 2; i < fields.length; i++) {
      ranks.set(atob(fields[i]!), rank++);
    }
  }
  return ranks;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

/**
 * Counts the tokens of a byte sequence that is not itself a token, by running tiktoken's
 * byte-pair merge: repeatedly merge the adjacent pair with the lowest rank (leftmost on ties)
 * until no adjacent pair is a token. Only the number of parts is needed, not the ids.
 */
function mergeCount(bytes: string, ranks: Map<string, number>): number {
  const n = bytes.length;
  // The caller already knows the whole piece is not a token, so two bytes are two tokens.
  if (n < 3) return n;
  // bounds[k] is where part k starts; bounds[parts] === n. Typed arrays and copyWithin keep the
  // removal of a boundary cheap (pieces here are short: long ones take the heap-based path).
  const bounds = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) bounds[i] = i;
  // pairRanks[k] is the rank of part k joined with part k + 1.
  const pairRanks = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) pairRanks[k] = ranks.get(bytes.slice(k, k + 2)) ?? NO_RANK;
  let parts = n;
  while (parts > 1) {
    let best = NO_RANK;
    let at = -1;
    for (let k = 0; k < parts - 1; k++) {
      const rank = pairRanks[k]!;
      if (rank < best) {
        best = rank;
        at = k;
      }
    }
    if (at < 0) break;
    bounds.copyWithin(at + 1, at + 2, parts + 1);
    pairRanks.copyWithin(at, at + 1, parts - 1);
    parts--;
    if (at < parts - 1) {
      pairRanks[at] = ranks.get(bytes.slice(bounds[at]!, bounds[at + 2]!)) ?? NO_RANK;
    }
    if (at > 0) {
      pairRanks[at - 1] = ranks.get(bytes.slice(bounds[at - 1]!, bounds[at + 1]!)) ?? NO_RANK;
    }
  }
  return parts;
}

const UTF8 = new TextEncoder();

// Below this many bytes the quadratic loop's small constant wins.
const LONG_PIECE = 256;

// The piece memo's bounds besides its entry count. Pieces are mostly words (a few characters);
// a longer one (a run of one character, of spaces, of punctuation) is rare and would crowd out
// thousands of words, and 40 pieces of 200,000 characters held 8 MB: pieces over 256 characters
// are counted every time (their merge, not a regex split, is their cost either way). 1 Mi
// characters per generation is about 200,000 ordinary pieces, so the entry count binds first.
const MAX_MEMO_PIECE = 256;
const PIECE_CHARS = 1 << 20;

/**
 * A token counter for one tiktoken encoding, built on js-tiktoken's rank data. It pre-tokenises
 * with the encoding's own regular expression (read as tiktoken's Rust engine reads it), answers
 * repeated pieces from a bounded memo, answers pieces that are whole tokens with one Map lookup,
 * and runs the byte-pair merge only for the rest.
 * Texts counted with {@link BpeCounter.countRepeated} (a chat's messages, resent every turn) are
 * also memoised whole.
 */
export class BpeCounter {
  readonly #ranks: Map<string, number>;
  readonly #pattern: RegExp;
  readonly #special: RegExp | undefined;
  readonly #cache: CountMemo;
  readonly #texts = textMemo<number>();
  #table: RankTable | undefined;

  constructor(file: RankFile, cacheSize: number) {
    this.#ranks = parseRanks(file.bpe_ranks);
    // The rank file's pattern is tiktoken's, for Rust's regex crate: its `\s` is not JavaScript's.
    this.#pattern = new RegExp(withRustWhiteSpace(file.pat_str), 'gu');
    const specials = Object.keys(file.special_tokens);
    this.#special =
      specials.length > 0 ? new RegExp(specials.map(escapeRegExp).join('|'), 'g') : undefined;
    this.#cache = new CountMemo(cacheSize, PIECE_CHARS, MAX_MEMO_PIECE);
  }

  /** Number of distinct tokens in the vocabulary (without special tokens). */
  get vocabularySize(): number {
    return this.#ranks.size;
  }

  /** Pieces currently memoised (bounded by twice the cache size). */
  get cachedPieces(): number {
    return this.#cache.size;
  }

  /** Texts currently memoised whole. */
  get cachedTexts(): number {
    return this.#texts.size;
  }

  clearCache(): void {
    this.#cache.clear();
    this.#texts.clear();
  }

  /**
   * Counts a text that is likely to be counted again as it is (ordinary text, no special tokens):
   * the system prompt and the history a chat resends every turn. Texts up to 64 Ki characters are
   * memoised whole, so a repeat costs one Map lookup instead of the regex split.
   */
  countRepeated(text: string): number {
    if (deferral !== undefined) return deferral(this, text, true);
    if (text.length > MAX_MEMO_TEXT) return this.#countOrdinary(text);
    const memo = this.#texts.get(text);
    if (memo !== undefined) return memo;
    const count = this.#countOrdinary(text);
    this.#texts.set(text, count);
    return count;
  }

  /**
   * Counts tokens. With `allowSpecial`, special-token strings such as `<|endoftext|>` count as
   * one token each; otherwise they are ordinary text (tiktoken's `encode_ordinary`).
   */
  count(text: string, allowSpecial: boolean): number {
    if (!allowSpecial || this.#special === undefined) {
      return deferral === undefined ? this.#countOrdinary(text) : deferral(this, text, false);
    }
    const special = this.#special;
    special.lastIndex = 0;
    let total = 0;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = special.exec(text)) !== null) {
      total += this.#countOrdinary(text.slice(start, match.index)) + 1;
      start = match.index + match[0].length;
    }
    return total + this.#countOrdinary(start === 0 ? text : text.slice(start));
  }

  /** {@link count} of ordinary text, never deferred (a memo of its own stores the count). */
  countOrdinary(text: string): number {
    return this.#countOrdinary(text);
  }

  /** The memoised count of a text {@link countRepeated} counted, if any. */
  recall(text: string): number | undefined {
    return text.length <= MAX_MEMO_TEXT ? this.#texts.get(text) : undefined;
  }

  /** Memoises a text's count as {@link countRepeated} would have (a cooperative count's text). */
  remember(text: string, count: number): void {
    if (text.length <= MAX_MEMO_TEXT) this.#texts.set(text, count);
  }

  /**
   * {@link count} in steps: a generator that yields now and then and returns the count (see
   * {@link #ordinarySteps}). Between special tokens, as `count` splits, with a pattern of its own.
   */
  *countSteps(text: string, allowSpecial: boolean): Generator<undefined, number> {
    if (!allowSpecial || this.#special === undefined) return yield* this.#ordinarySteps(text);
    const special = new RegExp(this.#special.source, this.#special.flags);
    let total = 0;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = special.exec(text)) !== null) {
      total += (yield* this.#ordinarySteps(text.slice(start, match.index))) + 1;
      start = match.index + match[0].length;
    }
    return total + (yield* this.#ordinarySteps(start === 0 ? text : text.slice(start)));
  }

  /**
   * {@link countOrdinary} in steps: a generator that yields between pieces (every 256) and
   * inside the merge of a long piece (every 4,096 merges), and returns the count. The pieces are
   * the same (`exec` from where the last piece ended is what `match` does; the pattern looks
   * only forward, so the pieces of a suffix are the text's from there), and each piece is counted
   * whole, as {@link countOrdinary} counts it: the count is the same.
   */
  *#ordinarySteps(text: string): Generator<undefined, number> {
    // A pattern of its own: the shared one's `lastIndex` is reset by every synchronous count that
    // runs while this one waits for its next turn.
    const pattern = new RegExp(this.#pattern.source, this.#pattern.flags);
    let total = 0;
    let pieces = 0;
    for (;;) {
      const at = pattern.lastIndex;
      let match: RegExpExecArray | null;
      try {
        match = pattern.exec(text);
      } catch (error) {
        // One piece of ~4 million characters (see #countOrdinary): the rest as #countHuge splits it.
        if (!(error instanceof RangeError)) throw error;
        const rest = at === 0 ? text : text.slice(at);
        const bounds = hugePieceBounds(rest, pattern);
        for (let i = 0; i < bounds.length; i += 2) {
          total += yield* this.#pieceSteps(rest.slice(bounds[i], bounds[i + 1]));
          if (++pieces % PIECES_PER_STEP === 0) yield;
        }
        return total;
      }
      if (match === null) return total;
      // An empty match moves on by one code point, as `match` does (tiktoken's patterns have none).
      if (match[0] === '') {
        const from = match.index;
        pattern.lastIndex = from + ((text.codePointAt(from) ?? 0) > 0xffff ? 2 : 1);
      } else total += yield* this.#pieceSteps(match[0]);
      if (++pieces % PIECES_PER_STEP === 0) yield;
    }
  }

  *#pieceSteps(piece: string): Generator<undefined, number> {
    if (piece.length <= LONG_PIECE) return this.#countPiece(piece);
    // #countPiece's path for such a piece (never memoised), with the merge in steps. A piece of
    // megabytes has its regex match, its encoding and its lookup whole in turns of their own.
    const big = piece.length > BIG_PIECE;
    if (big) yield;
    const bytes = UTF8.encode(piece);
    if (big) yield;
    const table = (this.#table ??= new RankTable(this.#ranks));
    return table.rank(bytes, 0, bytes.length) >= 0 ? 1 : yield* mergeStepsLong(bytes, table);
  }

  #countOrdinary(text: string): number {
    if (text === '') return 0;
    let pieces: RegExpMatchArray | null;
    try {
      pieces = text.match(this.#pattern);
    } catch (error) {
      // V8's backtrack stack overflows on one piece of about 4 million characters (see
      // huge-pieces.ts); a text that short never gets here, so the usual path costs nothing more.
      if (!(error instanceof RangeError)) throw error;
      return this.#countHuge(text);
    }
    if (pieces === null) return 0;
    let total = 0;
    for (let i = 0; i < pieces.length; i++) total += this.#countPiece(pieces[i]!);
    return total;
  }

  #countHuge(text: string): number {
    const bounds = hugePieceBounds(text, this.#pattern);
    let total = 0;
    for (let i = 0; i < bounds.length; i += 2) {
      total += this.#countPiece(text.slice(bounds[i], bounds[i + 1]));
    }
    return total;
  }

  #countPiece(piece: string): number {
    const cached = this.#cache.get(piece);
    if (cached !== undefined) return cached;
    // A piece of more than LONG_PIECE UTF-16 units has more than LONG_PIECE bytes: it goes to the
    // long merge as bytes (TextEncoder, no binary string: building one char by char made a rope
    // of millions of nodes for a long piece), and is a token only if the table says so.
    if (piece.length > LONG_PIECE) return this.#countLong(UTF8.encode(piece));
    const bytes = isAscii(piece) ? piece : utf8BinaryString(piece);
    const count = this.#ranks.has(bytes)
      ? 1
      : bytes.length > LONG_PIECE
        ? this.#countLong(UTF8.encode(piece))
        : mergeCount(bytes, this.#ranks);
    this.#cache.set(piece, count);
    return count;
  }

  #countLong(bytes: Uint8Array): number {
    const table = (this.#table ??= new RankTable(this.#ranks));
    return table.rank(bytes, 0, bytes.length) >= 0 ? 1 : mergeCountLong(bytes, table);
  }
}
