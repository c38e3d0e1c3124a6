/** What a read of memory or of the store gives instead of a value: answers are never symbols. */
export const MISS = Symbol('miss');
/** A miss on an entry too large here, left in the store for caches that can read it. */
export const TOO_LARGE = Symbol('too-large');
export type Missed = typeof MISS | typeof TOO_LARGE;
