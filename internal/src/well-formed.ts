/** `String.prototype.isWellFormed` and `toWellFormed` (Node 20, ES2024): the compiler targets ES2023 typings. */
interface WellFormedText {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * False when `text` holds a lone surrogate, which UTF-8 writes as U+FFFD: two such strings would
 * become the same bytes (a hash, a Redis key). One-byte strings answer without a scan.
 */
export const isWellFormed = (text: string): boolean =>
  (text as unknown as WellFormedText).isWellFormed();

/**
 * `text` with each lone surrogate replaced by U+FFFD: the string its UTF-8 bytes decode to. Two
 * strings told apart only by their lone surrogates (`m\uD800`, `m\uD801`) become one, as they are
 * once written out (a metrics label, a log line). A well-formed string comes back as it is.
 */
export const toWellFormed = (text: string): string =>
  (text as unknown as WellFormedText).toWellFormed();
