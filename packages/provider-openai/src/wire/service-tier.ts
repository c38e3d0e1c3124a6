import { usageCost } from '@x/provider-core';
import type { OpenAIPresetName } from '../presets';
import type { OpenAIUsage } from '../usage-types';

// `costUsd` is priced by `@x/tokens` at a model's standard prices. An answer served at another
// tier costs something else: it is priced here only where that price is known (OpenAI's priority
// prices in the table, or a documented share of the standard one), and left undefined everywhere
// else, never shown at the standard tier's price.

/** OpenAI's tiers billed at its priority prices: `fast` is answered as `priority`. */
const PRIORITY: ReadonlySet<string> = new Set(['priority', 'fast']);

/** The words servers use for the standard tier: OpenAI's, Mistral's and Groq's. */
const STANDARD: ReadonlySet<string> = new Set(['default', 'standard', 'on_demand']);

/**
 * `flex` by family: OpenAI bills it "at Batch API rates" (its Flex processing guide), half of
 * every standard price, cached input included; Groq's flex "pricing matches the on-demand tier"
 * (console.groq.com/docs/flex-processing). Another server's flex has no known price.
 */
const FLEX: Partial<Record<OpenAIPresetName, number>> = { openai: 0.5, groq: 1 };

/**
 * The price of an answer served at `tier`, from its price at the standard tier (`costUsd`, which
 * the core's usage stage computed): OpenAI's priority tier at the model's priority prices
 * (`pricing.priority`, through provider-core's `usageCost`), another tier at its share of the standard price ({@link tierPriceShare}),
 * `undefined` when neither is known.
 */
export function costAtTier(
  costUsd: number,
  tier: string | undefined,
  family: OpenAIPresetName | undefined,
  model: string,
  usage: OpenAIUsage,
): number | undefined {
  if (tier !== undefined && family === 'openai' && PRIORITY.has(tier)) {
    // At the model's priority prices, counted as the usage stage counts the standard tier's.
    return usageCost(model, usage, 'priority');
  }
  const share = tierPriceShare(tier, family);
  return share === undefined ? undefined : costUsd * share;
}

/**
 * The share of the standard price that an answer served at `tier` costs: 1 without a tier or at
 * the standard one; `undefined` when unknown: `priority` on a server other than OpenAI's (OpenAI's
 * is priced by {@link costAtTier}), `scale` (paid by reserved units, not by tokens), Groq's
 * `performance`, any other name.
 */
export function tierPriceShare(
  tier: string | undefined,
  family: OpenAIPresetName | undefined,
): number | undefined {
  if (tier === undefined || STANDARD.has(tier)) return 1;
  return tier === 'flex' && family !== undefined ? FLEX[family] : undefined;
}
