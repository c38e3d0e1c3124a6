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

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high. */
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The code unit of `char` (its first), in upper-case hex of at least `digits` digits. */
export const codeUnitHex = (char: string, digits: number): string =>
  char.charCodeAt(0).toString(16).toUpperCase().padStart(digits, '0');

/**
 * `index=HEX` of each lone surrogate in `text`, joined by `,` (`a\uD800b\uDC00` gives
 * `1=D800,3=DC00`): what a Redis key needs beside the text to stay apart from the key whose lone
 * surrogates are other ones or U+FFFD, since the client writes each of them as U+FFFD. Holds no
 * `)`, `|`, `:`, `{` or `}`, so it can sit in a key's header, ended by any of those.
 */
export function loneSurrogates(text: string): string {
  const found: string[] = [];
  for (const m of text.matchAll(LONE_SURROGATE)) found.push(`${m.index}=${codeUnitHex(m[0], 4)}`);
  return found.join(',');
}
