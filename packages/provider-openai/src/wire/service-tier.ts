import type { OpenAIPresetName } from '../presets';

// `costUsd` is priced by `@x/tokens` at a model's standard prices. An answer served at another
// tier costs something else: it is priced here only where that price is a documented share of the
// standard one, and left undefined everywhere else, never shown at the standard tier's price.

/** The words servers use for the standard tier: OpenAI's, Mistral's and Groq's. */
const STANDARD: ReadonlySet<string> = new Set(['default', 'standard', 'on_demand']);

/**
 * `flex` by family: OpenAI bills it "at Batch API rates" (its Flex processing guide), half of
 * every standard price, cached input included; Groq's flex "pricing matches the on-demand tier"
 * (console.groq.com/docs/flex-processing). Another server's flex has no known price.
 */
const FLEX: Partial<Record<OpenAIPresetName, number>> = { openai: 0.5, groq: 1 };

/**
 * The share of the standard price that an answer served at `tier` costs: 1 without a tier or at
 * the standard one; `undefined` when unknown: `priority` (OpenAI's prices for it are a table of
 * their own, about 1.7 to 2 times the standard ones depending on the model), `scale` (paid by
 * reserved units, not by tokens), Groq's `performance`, any other name.
 */
export function tierPriceShare(
  tier: string | undefined,
  family: OpenAIPresetName | undefined,
): number | undefined {
  if (tier === undefined || STANDARD.has(tier)) return 1;
  return tier === 'flex' && family !== undefined ? FLEX[family] : undefined;
}
