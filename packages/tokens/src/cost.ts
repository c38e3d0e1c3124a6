import { expectNumber, expectString, optionalString } from '@x/internal';
import { modelPricing } from './models';
import { type EstimateCostInput, expectOptions, KEYS } from './options';
import type { ModelPricing, TierPricing } from './types';

/** The result of `estimateCost`, in US dollars. */
export interface CostEstimate {
  /** Uncached input tokens × input price. */
  input: number;
  /** Cached input tokens × cached-input price. */
  cachedInput: number;
  /** Cache-write tokens × cache-write price (the input price for a model without one). */
  cacheWrite: number;
  /** Output tokens × output price. */
  output: number;
  /** The sum. */
  total: number;
  currency: 'USD';
  /** The date the prices were taken (see `PRICES_AS_OF`), the priority prices' included. */
  pricesAsOf: string;
}

/**
 * Rounds away binary-float noise: to 1e-12 USD (a cached token of the cheapest model is about
 * 2e-8 USD), or to 1e-9 USD for sums of $9,007 and more, where the 1e-12 scaling passes 2^53 and
 * is no longer exact (987,654,321 gpt-5 output tokens read 9876.543210000002). Past about $9
 * million a double's own step is about 1e-9 USD already, and the sum is returned as it is.
 */
function round(usd: number): number {
  const fine = usd * 1e12;
  if (Math.abs(fine) < Number.MAX_SAFE_INTEGER) return Math.round(fine) / 1e12;
  const coarse = usd * 1e9;
  return Math.abs(coarse) < Number.MAX_SAFE_INTEGER ? Math.round(coarse) / 1e9 : usd;
}

/** The words for the standard tier: this package's and OpenAI's `service_tier`. */
const STANDARD_TIERS: ReadonlySet<string> = new Set(['standard', 'default']);

/**
 * The prices of the tier that served a request: the standard ones without a tier or at the
 * standard one, the priority ones at `'priority'`; `undefined` when the tier has no known price
 * here (any other tier, or `'priority'` on a model without priority prices), so that no answer is
 * shown at a price it was not billed at.
 */
function tierPrices(pricing: ModelPricing, tier: string | undefined): TierPricing | undefined {
  if (tier === undefined || STANDARD_TIERS.has(tier)) return pricing;
  return tier === 'priority' ? pricing.priority : undefined;
}

/**
 * The cost of a request in US dollars, from the registry's prices. `inputTokens` includes the
 * cached ones and the ones written to the cache (as OpenAI's `prompt_tokens` does); those are
 * billed at the cached-input and cache-write prices instead of the input price.
 *
 * `serviceTier: 'priority'` prices it at the model's priority prices (`pricing.priority`).
 *
 * @returns the cost, an explicit 0 for local (Ollama) models, and `undefined` (never a silent 0)
 * for an unknown model, one without prices, or a tier without known prices (any but `'standard'`,
 * `'default'` and `'priority'`, or `'priority'` for a model without priority prices).
 * @throws {TypeError | RangeError} on negative or non-finite counts, cached + written > input,
 * or an unknown key.
 * @example
 * estimateCost({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 500 })?.total // 0.0075
 */
export function estimateCost(request: EstimateCostInput): CostEstimate | undefined {
  expectOptions('request', undefined, request, KEYS.estimateCost);
  expectString('model', request.model, true);
  const { inputTokens, outputTokens = 0, cachedInputTokens = 0, cacheWriteTokens = 0 } = request;
  expectNumber('inputTokens', inputTokens, { min: 0 });
  expectNumber('outputTokens', outputTokens, { min: 0 });
  expectNumber('cachedInputTokens', cachedInputTokens, { min: 0 });
  expectNumber('cacheWriteTokens', cacheWriteTokens, { min: 0 });
  if (cachedInputTokens > inputTokens) {
    throw new RangeError(
      `Expected \`cachedInputTokens\` to be <= \`inputTokens\` (${inputTokens}), got \`${cachedInputTokens}\` (number)`,
    );
  }
  // Read and written tokens are two parts of the prompt: each billed once, at its own price.
  if (cacheWriteTokens > inputTokens - cachedInputTokens) {
    throw new RangeError(
      `Expected \`cacheWriteTokens\` to be <= \`inputTokens\` - \`cachedInputTokens\` (${inputTokens - cachedInputTokens}), got \`${cacheWriteTokens}\` (number)`,
    );
  }
  const serviceTier = optionalString('serviceTier', request.serviceTier);
  const pricing = modelPricing(request.model);
  if (pricing == null) return undefined;
  const prices = tierPrices(pricing, serviceTier);
  if (prices === undefined) return undefined;
  const perToken = (usdPerMillion: number) => usdPerMillion / 1_000_000;
  const input = (inputTokens - cachedInputTokens - cacheWriteTokens) * perToken(prices.input);
  const cachedInput = cachedInputTokens * perToken(prices.cachedInput ?? prices.input);
  const cacheWrite = cacheWriteTokens * perToken(prices.cacheWrite ?? prices.input);
  const output = outputTokens * perToken(prices.output);
  return {
    input: round(input),
    cachedInput: round(cachedInput),
    cacheWrite: round(cacheWrite),
    output: round(output),
    total: round(input + cachedInput + cacheWrite + output),
    currency: 'USD',
    pricesAsOf: pricing.asOf,
  };
}
