// The check the run tests share, apart from the tokenizers themselves (which the calibration
// scripts import too, without vitest).
import { expect } from 'vitest';
import { estimateTokens } from '../estimate';
import type { referenceTokenizers } from './reference-tokenizers';

/**
 * Expects the estimate of each sample, for `tokenizer`'s provider, to hold its count within
 * `tokens × (1 ± errorMargin)`; a miss names its sample and both counts.
 */
export function expectWithinMargin(
  samples: Record<string, string>,
  { provider, count }: (typeof referenceTokenizers)[number],
): void {
  for (const [label, text] of Object.entries(samples)) {
    const actual = count(text);
    const estimate = estimateTokens(text, { provider });
    const within = Math.abs(actual / estimate.tokens - 1) <= estimate.errorMargin;
    expect({ label, actual, tokens: estimate.tokens, within }).toMatchObject({ within: true });
  }
}
