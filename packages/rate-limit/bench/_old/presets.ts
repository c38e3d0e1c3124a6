/** A provider's request rate, ready to spread into `createTokenBucket()` or a limit. */
export interface RateLimitPreset {
  /** Requests per second. */
  readonly ratePerSecond: number;
  /** The burst; override it by spreading: `{ ...rateLimitPresets.openai, capacity: 10 }`. */
  readonly capacity: number;
}

/**
 * Starting points for common providers, in requests per second (burst = one second's worth).
 * Check your account's real quota: they differ by tier and model.
 *
 * | preset | ratePerSecond |
 * |---|---|
 * | openai | 60 |
 * | ollama | 10 |
 * | gemini | 15 |
 * | perplexity | 5 |
 *
 * @example
 * ```ts
 * const bucket = createTokenBucket({ ...rateLimitPresets.openai, capacity: 20 });
 * ```
 */
export const rateLimitPresets: Readonly<{
  openai: RateLimitPreset;
  ollama: RateLimitPreset;
  gemini: RateLimitPreset;
  perplexity: RateLimitPreset;
}> = Object.freeze({
  openai: Object.freeze({ ratePerSecond: 60, capacity: 60 }),
  ollama: Object.freeze({ ratePerSecond: 10, capacity: 10 }),
  gemini: Object.freeze({ ratePerSecond: 15, capacity: 15 }),
  perplexity: Object.freeze({ ratePerSecond: 5, capacity: 5 }),
});
