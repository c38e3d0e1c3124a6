import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/corpus';
import { asMessages } from './__fixtures__/user-message';
import { createCalibrator } from './calibrator';
import { estimateTokens, getHeuristicProfile } from './estimate';
import type { ChatMessage, Provider } from './types';

describe('createCalibrator (bounds)', () => {
  const providers: Provider[] = ['openai', 'ollama', 'mistral', 'gemini', 'anthropic'];
  const pool: (string | ChatMessage[])[] = [
    'Hi',
    'A short sentence of plain English.',
    corpus[1]!.text,
    corpus[5]!.text.slice(0, 300),
    corpus[40]!.text,
    asMessages('What is the capital of France?'),
    [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: corpus[9]!.text },
    ],
  ];
  const count = fc.oneof(
    fc.integer({ min: -10, max: 200_000 }),
    fc.integer({ min: 0, max: 40 }),
    fc.constantFrom(0, 1, 1e15, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5),
    fc.double({ noNaN: false }),
  );
  const options = fc.record({
    window: fc.integer({ min: 1, max: 60 }),
    minObservations: fc.integer({ min: 1, max: 5 }),
    maxOverheadTokens: fc.integer({ min: 0, max: 50_000 }),
  });

  it('never moves an estimate outside [minScale × heuristic, maxScale × heuristic + maxOverheadTokens], whatever it observes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...providers),
        options,
        fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), count), { maxLength: 80 }),
        (provider, opts, observations) => {
          const calibrator = createCalibrator(opts);
          for (const [index, actualTokens] of observations) {
            calibrator.observe({ model: 'm', provider, input: pool[index]!, actualTokens });
          }
          const [minScale, maxScale] = getHeuristicProfile(provider).scaleRange;
          const state = calibrator.get('m', provider);
          if (state !== undefined) {
            expect(state.scale).toBeGreaterThanOrEqual(minScale);
            expect(state.scale).toBeLessThanOrEqual(maxScale);
            expect(state.overheadTokens).toBeGreaterThanOrEqual(0);
            expect(state.overheadTokens).toBeLessThanOrEqual(opts.maxOverheadTokens);
            expect(state.errorMargin).toBeGreaterThan(0);
            expect(state.errorMargin).toBeLessThanOrEqual(1);
          }
          for (const input of pool) {
            const heuristic = estimateTokens(input, { model: 'm', provider }).tokens;
            const estimate = estimateTokens(input, { model: 'm', provider, calibrator });
            expect(estimate.tokens).toBeGreaterThanOrEqual(Math.floor(minScale * heuristic));
            expect(estimate.tokens).toBeLessThanOrEqual(
              Math.ceil(maxScale * heuristic) + opts.maxOverheadTokens,
            );
            expect(Number.isInteger(estimate.tokens)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('recovers the truth after any sequence of observations once fed 2 × window consistent ones', () => {
    fc.assert(
      fc.property(
        // Two parameters need a few sizes in the window: at least as many as the inputs fed.
        options.filter((o) => o.window >= 5),
        fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), count), { maxLength: 60 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 5000 }),
        (opts, noise, scale, overhead) => {
          const maxOverheadTokens = Math.max(opts.maxOverheadTokens, overhead);
          const calibrator = createCalibrator({ ...opts, maxOverheadTokens });
          for (const [index, actualTokens] of noise) {
            calibrator.observe({
              model: 'm',
              provider: 'ollama',
              input: pool[index]!,
              actualTokens,
            });
          }
          const truth = (input: string | ChatMessage[]) =>
            overhead +
            Math.round(scale * estimateTokens(input, { model: 'm', provider: 'ollama' }).tokens);
          const fed = pool.slice(2);
          for (let i = 0; i < 2 * opts.window + 6; i++) {
            const input = fed[i % fed.length]!;
            calibrator.observe({
              model: 'm',
              provider: 'ollama',
              input,
              actualTokens: truth(input),
            });
          }
          for (const input of fed) {
            const estimate = estimateTokens(input, { model: 'm', provider: 'ollama', calibrator });
            expect(Math.abs(estimate.tokens - truth(input))).toBeLessThanOrEqual(
              0.05 * truth(input) + 3,
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
