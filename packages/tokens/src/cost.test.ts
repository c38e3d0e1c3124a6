import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateCost } from './cost';
import { PRICES_AS_OF } from './data/models';
import { registerModel } from './models';

describe('estimateCost', () => {
  it('returns USD from the per-million prices when the model is known', () => {
    expect(estimateCost({ model: 'gpt-4o', inputTokens: 1000, outputTokens: 500 })).toEqual({
      input: 0.0025,
      cachedInput: 0,
      cacheWrite: 0,
      output: 0.005,
      total: 0.0075,
      currency: 'USD',
      pricesAsOf: PRICES_AS_OF,
    });
  });

  it('bills cached input tokens at the cached price when some input was cached', () => {
    const cost = estimateCost({
      model: 'gpt-4o-2024-08-06',
      inputTokens: 1_000_000,
      cachedInputTokens: 400_000,
      outputTokens: 0,
    });
    expect(cost).toMatchObject({ input: 1.5, cachedInput: 0.5, output: 0, total: 2 });
  });

  it('uses the sourced price of the model when a newer family is priced differently', () => {
    // Claude Opus 4.5 and later are $5 / $25 (cache reads $0.50); Opus 4.1 stays $15 / $75.
    const newer = estimateCost({
      model: 'claude-opus-4-5-20251101',
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 100_000,
    });
    expect(newer).toMatchObject({ input: 4, cachedInput: 0.1, output: 2.5, total: 6.6 });
    const older = estimateCost({ model: 'claude-opus-4-1', inputTokens: 1_000_000 });
    expect(older).toMatchObject({ input: 15, total: 15 });
  });

  it('bills written tokens at the cache-write price, once, when the prompt wrote to the cache', () => {
    // gpt-5.6: $5 input, $0.50 cache reads, $6.25 cache writes (1.25 times the input price).
    const cost = estimateCost({
      model: 'gpt-5.6',
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      cacheWriteTokens: 400_000,
      outputTokens: 0,
    });
    expect(cost).toMatchObject({ input: 2, cachedInput: 0.1, cacheWrite: 2.5, total: 4.6 });
    // Claude Sonnet 4.6: $3 input, $3.75 per million written (the 5-minute writes).
    const claude = estimateCost({
      model: 'claude-sonnet-4-6',
      inputTokens: 1_000_000,
      cacheWriteTokens: 1_000_000,
    });
    expect(claude).toMatchObject({ input: 0, cacheWrite: 3.75, total: 3.75 });
  });

  it('bills written tokens at the input price when the model has no cache-write price', () => {
    const written = { model: 'gpt-5.5', inputTokens: 1_000_000, cachedInputTokens: 100_000 };
    const plain = estimateCost(written)!;
    const cost = estimateCost({ ...written, cacheWriteTokens: 500_000 })!;
    expect(cost).toMatchObject({ input: 2, cachedInput: 0.05, cacheWrite: 2.5 });
    expect(cost.total).toBe(plain.total);
  });

  it('bills written tokens at a registered cache-write price', () => {
    const unregister = registerModel({
      id: 'acme-writer',
      provider: 'openai',
      contextWindow: 10_000,
      pricing: { input: 2, output: 8, cacheWrite: 3 },
    });
    expect(
      estimateCost({ model: 'acme-writer', inputTokens: 1_000_000, cacheWriteTokens: 1_000_000 }),
    ).toMatchObject({ input: 0, cachedInput: 0, cacheWrite: 3, total: 3 });
    unregister();
  });

  it('bills cached tokens at the input price when the model has no cached price', () => {
    const cost = estimateCost({ model: 'gpt-4', inputTokens: 1000, cachedInputTokens: 1000 });
    expect(cost).toMatchObject({ input: 0, cachedInput: 0.03, total: 0.03 });
  });

  it('returns an explicit 0 when the model runs locally', () => {
    expect(
      estimateCost({ model: 'llama3.2:3b-instruct-q4_K_M', inputTokens: 5000, outputTokens: 900 }),
    ).toMatchObject({ input: 0, cachedInput: 0, output: 0, total: 0 });
  });

  it('returns undefined, never 0, when the model or its prices are unknown', () => {
    expect(estimateCost({ model: 'mystery-model', inputTokens: 10 })).toBeUndefined();
    const unregister = registerModel({ id: 'priceless', provider: 'openai', contextWindow: 10 });
    expect(estimateCost({ model: 'priceless', inputTokens: 10 })).toBeUndefined();
    unregister();
  });

  it('adds up and grows with every count for any token counts', () => {
    fc.assert(
      fc.property(
        fc.nat(2_000_000),
        fc.nat(2_000_000),
        fc.nat(2_000_000),
        fc.constantFrom('gpt-4o', 'claude-sonnet-4', 'gemini-2.5-pro', 'mistral-large', 'sonar'),
        (input, cachedShare, output, model) => {
          const cached = Math.min(input, cachedShare);
          const cost = estimateCost({
            model,
            inputTokens: input,
            cachedInputTokens: cached,
            outputTokens: output,
          })!;
          expect(cost.total).toBeCloseTo(
            cost.input + cost.cachedInput + cost.cacheWrite + cost.output,
            9,
          );
          const more = estimateCost({
            model,
            inputTokens: input + 1000,
            cachedInputTokens: cached,
            outputTokens: output + 1,
          })!;
          expect(more.total).toBeGreaterThan(cost.total);
          expect(cost.total).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bills every prompt token once, at the price of its part, for any split of the prompt', () => {
    const perToken = { input: 5e-6, cachedInput: 5e-7, cacheWrite: 6.25e-6 }; // gpt-5.6
    fc.assert(
      fc.property(fc.nat(2_000_000), fc.nat(2_000_000), fc.nat(2_000_000), (input, a, b) => {
        const cached = Math.min(input, a);
        const written = Math.min(input - cached, b);
        const cost = estimateCost({
          model: 'gpt-5.6',
          inputTokens: input,
          cachedInputTokens: cached,
          cacheWriteTokens: written,
        })!;
        expect(cost.input).toBeCloseTo((input - cached - written) * perToken.input, 9);
        expect(cost.cachedInput).toBeCloseTo(cached * perToken.cachedInput, 9);
        expect(cost.cacheWrite).toBeCloseTo(written * perToken.cacheWrite, 9);
        expect(cost.total).toBeCloseTo(cost.input + cost.cachedInput + cost.cacheWrite, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('returns the exact decimal when the sum is thousands of dollars', () => {
    // 987,654,321 × $10 / 1M: scaling by 1e12 went past 2^53 and read 9876.543210000002.
    const cost = estimateCost({ model: 'gpt-5', inputTokens: 0, outputTokens: 987_654_321 })!;
    expect(cost.output).toBe(9876.54321);
    expect(cost.total).toBe(9876.54321);
    const huge = estimateCost({ model: 'gpt-5', inputTokens: 0, outputTokens: 1e15 })!;
    expect(huge.total).toBe(1e10);
  });

  it('throws when counts are negative, not finite, or cached exceeds input', () => {
    expect(() => estimateCost({ model: 'gpt-4o', inputTokens: -1 })).toThrow(
      'Expected `inputTokens` to be a finite number >= 0, got `-1` (number)',
    );
    expect(() => estimateCost({ model: 'gpt-4o', inputTokens: Number.NaN })).toThrow(RangeError);
    expect(() => estimateCost({ model: 'gpt-4o', inputTokens: '1' as never })).toThrow(TypeError);
    expect(() => estimateCost({ model: 'gpt-4o', inputTokens: 1, cachedInputTokens: 2 })).toThrow(
      RangeError,
    );
    expect(() =>
      estimateCost({
        model: 'gpt-5.6',
        inputTokens: 10,
        cachedInputTokens: 6,
        cacheWriteTokens: 5,
      }),
    ).toThrow(
      'Expected `cacheWriteTokens` to be <= `inputTokens` - `cachedInputTokens` (4), got `5` (number)',
    );
    expect(() => estimateCost({ model: 'gpt-5.6', inputTokens: 10, cacheWriteTokens: -1 })).toThrow(
      'Expected `cacheWriteTokens` to be a finite number >= 0, got `-1` (number)',
    );
    expect(() => estimateCost({ model: '', inputTokens: 1 })).toThrow(RangeError);
    expect(() => estimateCost({ model: 1 as never, inputTokens: 1 })).toThrow(TypeError);
  });
});

describe('estimateCost at a service tier', () => {
  it('bills every part at the priority prices when the answer was served at priority', () => {
    // gpt-4o at priority: $4.25 input, $2.125 cached, $17 output (standard: $2.5, $1.25, $10).
    const cost = estimateCost({
      model: 'gpt-4o-2024-08-06',
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 100_000,
      serviceTier: 'priority',
    });
    expect(cost).toEqual({
      input: 3.4,
      cachedInput: 0.425,
      cacheWrite: 0,
      output: 1.7,
      total: 5.525,
      currency: 'USD',
      pricesAsOf: PRICES_AS_OF,
    });
  });

  it('bills written tokens at the priority cache-write price when the model has one', () => {
    // gpt-5.6 at priority: $10 input, $1 cached, $12.50 written, $60 output.
    const cost = estimateCost({
      model: 'gpt-5.6',
      inputTokens: 1_000_000,
      cachedInputTokens: 100_000,
      cacheWriteTokens: 200_000,
      outputTokens: 10_000,
      serviceTier: 'priority',
    });
    expect(cost).toMatchObject({ input: 7, cachedInput: 0.1, cacheWrite: 2.5, output: 0.6 });
    expect(cost?.total).toBe(10.2);
    // gpt-5.5 writes for free: written tokens at its priority input price ($10).
    const older = estimateCost({
      model: 'gpt-5.5',
      inputTokens: 100_000,
      cacheWriteTokens: 100_000,
      serviceTier: 'priority',
    });
    expect(older).toMatchObject({ input: 0, cacheWrite: 1, total: 1 });
    // No cached price at priority (gpt-4o-2024-05-13): cached tokens at its priority input price.
    const uncached = estimateCost({
      model: 'gpt-4o-2024-05-13',
      inputTokens: 100_000,
      cachedInputTokens: 100_000,
      serviceTier: 'priority',
    });
    expect(uncached).toMatchObject({ cachedInput: 0.875, total: 0.875 });
  });

  it('returns the standard price when the tier is the standard one', () => {
    const request = { model: 'gpt-5', inputTokens: 1000, cachedInputTokens: 100, outputTokens: 50 };
    const standard = estimateCost(request);
    expect(standard?.total).toBe(0.0016375);
    expect(estimateCost({ ...request, serviceTier: 'default' })).toEqual(standard);
    expect(estimateCost({ ...request, serviceTier: 'standard' })).toEqual(standard);
    expect(estimateCost({ ...request, serviceTier: undefined })).toEqual(standard);
  });

  it('returns undefined, never the standard price, when the tier or its prices are unknown', () => {
    const request = { inputTokens: 1000, outputTokens: 50 };
    for (const serviceTier of ['flex', 'scale', 'fast', 'Priority', 'performance', '']) {
      expect(estimateCost({ model: 'gpt-5', ...request, serviceTier })).toBeUndefined();
    }
    // Models without priority prices: none in the source, Anthropic's, a local model.
    for (const model of [
      'o1',
      'gpt-5-nano',
      'gpt-5-chat-latest',
      'claude-sonnet-4-5',
      'llama3.2',
    ]) {
      expect(estimateCost({ model, ...request, serviceTier: 'priority' })).toBeUndefined();
    }
    expect(() => estimateCost({ model: 'gpt-5', ...request, serviceTier: 1 as never })).toThrow(
      'Expected `serviceTier` to be a string, got `1` (number)',
    );
  });

  it('bills a registered priority price when the model is registered with one', () => {
    const unregister = registerModel({
      id: 'acme-priority',
      provider: 'openai',
      contextWindow: 10_000,
      pricing: { input: 1, output: 4, priority: { input: 2, output: 8, cachedInput: 0.5 } },
    });
    try {
      const cost = estimateCost({
        model: 'acme-priority',
        inputTokens: 1_000_000,
        cachedInputTokens: 500_000,
        outputTokens: 1_000_000,
        serviceTier: 'priority',
      });
      expect(cost).toMatchObject({ input: 1, cachedInput: 0.25, output: 8, total: 9.25 });
    } finally {
      unregister();
    }
  });

  it('costs at least the standard price at priority for any counts and priced model', () => {
    const models = ['gpt-5.6', 'gpt-5.6-luna', 'gpt-5.5', 'gpt-5-mini', 'gpt-4o', 'o4-mini'];
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        (model, uncached, cached, written, output) => {
          const request = {
            model,
            inputTokens: uncached + cached + written,
            cachedInputTokens: cached,
            cacheWriteTokens: written,
            outputTokens: output,
          };
          const standard = estimateCost(request)!;
          const priority = estimateCost({ ...request, serviceTier: 'priority' })!;
          expect(priority.total).toBeGreaterThanOrEqual(standard.total);
          expect(priority.total).toBeCloseTo(
            priority.input + priority.cachedInput + priority.cacheWrite + priority.output,
            9,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
