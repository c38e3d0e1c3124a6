import { type EstimateCostInput, estimateCost } from '@x/tokens';

/** The counts of an answer's usage that its price reads. */
export interface PricedUsage {
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  /** Prompt tokens served from the server's prompt cache (counted in `promptTokens`). */
  cachedPromptTokens?: number | undefined;
  /** Prompt tokens written to the server's prompt cache (counted in `promptTokens`). */
  cacheWriteTokens?: number | undefined;
}

/**
 * What an answer cost in US dollars at `@x/tokens`' prices for `model` (at `serviceTier`'s prices
 * when given: `'priority'`), `undefined` for a model without prices, or without counts. Cached
 * and written prompt tokens are part of the prompt's count, each billed at its own price (cached
 * input, cache write); a count that cannot be part of the prompt, from a confused server, is not
 * priced at all rather than made to fail the estimate. The usage stage prices every answer with
 * it at the standard tier; a provider prices another tier's answer with it.
 */
export function usageCost(
  model: string,
  usage: PricedUsage,
  serviceTier?: string,
): number | undefined {
  const { promptTokens: input, completionTokens: output } = usage;
  if (input === undefined && output === undefined) return undefined;
  const priced: EstimateCostInput = {
    model,
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
  };
  if (serviceTier !== undefined) priced.serviceTier = serviceTier;
  const cached = usage.cachedPromptTokens;
  if (cached !== undefined && input !== undefined && cached <= input) {
    priced.cachedInputTokens = cached;
  }
  const written = usage.cacheWriteTokens;
  if (
    written !== undefined &&
    input !== undefined &&
    written <= input - (priced.cachedInputTokens ?? 0)
  ) {
    priced.cacheWriteTokens = written;
  }
  try {
    return estimateCost(priced)?.total;
  } catch {
    // A model name the table refuses: unpriced.
    return undefined;
  }
}
