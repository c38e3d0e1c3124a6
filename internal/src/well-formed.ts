/** `String.prototype.isWellFormed` (Node 20, ES2024): the compiler targets ES2023 typings. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/**
 * False when `text` holds a lone surrogate, which UTF-8 writes as U+FFFD: two such strings would
 * become the same bytes (a hash, a Redis key). One-byte strings answer without a scan.
 */
export const isWellFormed = (text: string): boolean =>
  (text as unknown as WellFormedCheck).isWellFormed();
