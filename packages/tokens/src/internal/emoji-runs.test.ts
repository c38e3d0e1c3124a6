import { describe, it } from 'vitest';
import { referenceTokenizers as tokenizers } from '../__fixtures__/reference-tokenizers';
import { expectWithinMargin } from '../__fixtures__/within-margin';

// The most used emoji are one token each in Mistral v1 (its other emoji are four byte tokens):
// every emoji at four tokens, `😀` × 2,000 was estimated 7,962 for 2,000 counted (and 6,764 for
// Llama 3's 4,000). o200k_base keeps the corpus's fit of emoji (see the README's Behaviour notes).
const COMMON = '😀😂👍🔥🎉🚀🙏👀🤔😊💪🟢';
const samples: Record<string, string> = {
  '😀 × 2,000': '😀'.repeat(2_000),
  '🎉🎉🎉': '🎉🎉🎉',
  'twelve common emoji × 40': COMMON.repeat(40),
  'emoji between words': Array.from(
    { length: 40 },
    (_, i) => `Release ${i} shipped ${[...COMMON][i % 12]!.repeat(1 + (i % 3))} thanks all.`,
  ).join(' '),
  'a rare emoji × 200 (four tokens each)': '🦩'.repeat(200),
};

describe('estimates of emoji runs', () => {
  for (const tokenizer of tokenizers.filter((t) => t.provider !== 'openai')) {
    it(`keep the ${tokenizer.name} count within tokens × (1 ± errorMargin)`, () => {
      expectWithinMargin(samples, tokenizer);
    });
  }
});
