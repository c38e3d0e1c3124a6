import diagnostics_channel from 'node:diagnostics_channel';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { corpus } from './__fixtures__/corpus';
import { createCalibrator } from './calibrator';
import { estimateTokens } from './estimate';

afterEach(() => {
  vi.restoreAllMocks();
});

// A deterministic PRNG so the synthetic stream is the same on every run.
function prng(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('createCalibrator', () => {
  it('converges on the true scale when fed a noisy synthetic stream of observations', () => {
    const calibrator = createCalibrator();
    const random = prng(7);
    const trueScale = 1.37; // the server's tokenizer counts 37 % more than the heuristic
    for (let i = 0; i < 200; i++) {
      const sample = corpus[i % corpus.length]!;
      const heuristic = estimateTokens(sample.text, { provider: 'ollama' }).tokens;
      const noise = 1 + (random() - 0.5) * 0.06; // ±3 %
      calibrator.observe({
        model: 'llama3.2',
        input: sample.text,
        actualTokens: Math.round(heuristic * trueScale * noise),
      });
    }
    const state = calibrator.get('llama3.2')!;
    expect(state.ready).toBe(true);
    expect(state.scale).toBeGreaterThan(trueScale * 0.98);
    expect(state.scale).toBeLessThan(trueScale * 1.02);
    expect(state.errorMargin).toBeLessThan(0.06);
    expect(state.tokensPerChar).toBeGreaterThan(0);
    const text = corpus[3]!.text;
    const calibrated = estimateTokens(text, { model: 'llama3.2', calibrator });
    const heuristic = estimateTokens(text, { model: 'llama3.2' });
    expect(calibrated.method).toBe('calibrated');
    expect(calibrated.errorMargin).toBeLessThan(heuristic.errorMargin);
    expect(calibrated.tokens / (heuristic.tokens * trueScale)).toBeCloseTo(1, 1);
  });

  it('follows drift within the window when the server tokenizer changes', () => {
    const calibrator = createCalibrator({ window: 10, minObservations: 1 });
    const text = 'A sentence that is observed again and again with different counts.';
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    for (let i = 0; i < 30; i++) {
      calibrator.observe({ model: 'qwen2.5', input: text, actualTokens: heuristic });
    }
    for (let i = 0; i < 60; i++) {
      calibrator.observe({ model: 'qwen2.5', input: text, actualTokens: heuristic * 2 });
    }
    expect(calibrator.get('qwen2.5')!.scale).toBeGreaterThan(1.95);
  });

  it('learns the scale exactly when every observation has the same ratio', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 2.5, noNaN: true }), (scale) => {
        const calibrator = createCalibrator({ minObservations: 1 });
        const text = corpus[0]!.text;
        const heuristic = estimateTokens(text, { provider: 'gemini' }).tokens;
        const actualTokens = Math.round(heuristic * scale);
        calibrator.observe({ model: 'x-model', provider: 'gemini', input: text, actualTokens });
        calibrator.observe({ model: 'x-model', provider: 'gemini', input: text, actualTokens });
        const state = calibrator.get('x-model', 'gemini')!;
        expect(state.scale).toBeCloseTo(actualTokens / heuristic, 10);
        expect(
          estimateTokens(text, { model: 'x-model', provider: 'gemini', calibrator }).tokens,
        ).toBe(actualTokens);
      }),
      { numRuns: 50 },
    );
  });

  it('shares calibration between Ollama tags of one family', () => {
    const calibrator = createCalibrator({ minObservations: 1 });
    calibrator.observe({
      model: 'llama3.2:3b-instruct-q4_K_M',
      input: 'hello there',
      actualTokens: 9,
    });
    expect(calibrator.get('llama3.2:1b')?.observations).toBe(1);
    expect(calibrator.get('llama3.2')?.key).toBe('ollama/llama3.2');
    expect(calibrator.get('llama3.1')).toBeUndefined();
  });

  it('learns from chat messages when the server reports prompt_eval_count', () => {
    const calibrator = createCalibrator({ minObservations: 2 });
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Name three rivers in Europe.' },
    ];
    const heuristic = estimateTokens(messages, { model: 'gemma3' }).tokens;
    calibrator.observe({ model: 'gemma3', input: messages, actualTokens: heuristic + 10 });
    calibrator.observe({ model: 'gemma3', input: messages, actualTokens: heuristic + 10 });
    expect(estimateTokens(messages, { model: 'gemma3', calibrator })).toMatchObject({
      tokens: heuristic + 10,
      method: 'calibrated',
    });
  });

  it('rejects a zero count and a count far from the prediction once calibrated', () => {
    const calibrator = createCalibrator({ minObservations: 2 });
    const text = 'Prompt caching makes Ollama report only the new tokens.';
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: 0 })).toBe(false);
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic })).toBe(
      true,
    );
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic })).toBe(
      true,
    );
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: 1 })).toBe(false);
    expect(calibrator.observe({ model: 'llama3', input: '', actualTokens: 5 })).toBe(false);
    expect(calibrator.stats()).toMatchObject({ observations: 2, rejected: 3, models: 1 });
    expect(calibrator.get('llama3')!.scale).toBeCloseTo(1, 5);
  });

  it('forgets the least recently updated model when more than maxModels are learned', () => {
    const calibrator = createCalibrator({ maxModels: 2 });
    calibrator.observe({ model: 'llama2', input: 'a b c', actualTokens: 4 });
    calibrator.observe({ model: 'llama3', input: 'a b c', actualTokens: 4 });
    calibrator.observe({ model: 'llama2', input: 'a b c', actualTokens: 4 });
    calibrator.observe({ model: 'mistral', input: 'a b c', actualTokens: 4 });
    expect(calibrator.get('llama3')).toBeUndefined();
    expect(calibrator.get('llama2')).toBeDefined();
    expect(calibrator.get('mistral')).toBeDefined();
    const stats = calibrator.stats();
    expect(stats).toMatchObject({ models: 2, evicted: 1, observations: 4 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('forgets one model or all when cleared, keeping the counters', () => {
    const calibrator = createCalibrator();
    calibrator.observe({ model: 'llama2', input: 'a b c', actualTokens: 4 });
    calibrator.observe({ model: 'llama3', input: 'a b c', actualTokens: 4 });
    calibrator.clear('llama2');
    expect(calibrator.get('llama2')).toBeUndefined();
    calibrator.clear();
    expect(calibrator.stats()).toMatchObject({ models: 0, observations: 2 });
  });

  it('notifies listeners and diagnostics_channel x:tokens:calibration when it learns', () => {
    const calibrator = createCalibrator();
    const seen: number[] = [];
    const published: unknown[] = [];
    const off = calibrator.onUpdate((state) => seen.push(state.observations));
    const onMessage = (message: unknown) => published.push(message);
    diagnostics_channel.subscribe('x:tokens:calibration', onMessage);
    try {
      calibrator.observe({ model: 'phi4', input: 'a b c', actualTokens: 4 });
      off();
      calibrator.observe({ model: 'phi4', input: 'a b c', actualTokens: 4 });
    } finally {
      diagnostics_channel.unsubscribe('x:tokens:calibration', onMessage);
    }
    expect(seen).toEqual([1]);
    expect(published).toHaveLength(2);
    expect(published[1]).toMatchObject({ key: 'ollama/phi4', observations: 2 });
  });

  it('throws TypeError or RangeError when options or observations are invalid', () => {
    expect(() => createCalibrator({ maxModels: 0 })).toThrow(
      'Expected `maxModels` to be an integer >= 1, got `0` (number)',
    );
    expect(() => createCalibrator({ window: 1.5 })).toThrow(RangeError);
    expect(() => createCalibrator({ window: '5' as never })).toThrow(TypeError);
    const calibrator = createCalibrator();
    // A count of the wrong type is a programming error; a wrong number is the server's, and is
    // ignored (see 'ignores counts that cannot be the prompt's').
    expect(() =>
      calibrator.observe({ model: 'llama3', input: 'x', actualTokens: '5' as never }),
    ).toThrow('Expected `actualTokens` to be a number, got `"5"` (string)');
    expect(calibrator.observe({ model: 'llama3', input: 'x', actualTokens: -1 })).toBe(false);
    expect(() => calibrator.observe({ model: '', input: 'x', actualTokens: 1 })).toThrow(
      RangeError,
    );
    expect(() => calibrator.observe({ model: 5 as never, input: 'x', actualTokens: 1 })).toThrow(
      TypeError,
    );
    expect(() => calibrator.observe({ model: 'a', input: 3 as never, actualTokens: 1 })).toThrow(
      TypeError,
    );
    expect(() => calibrator.onUpdate(null as never)).toThrow(TypeError);
  });
});

describe('calibrator.onUpdate', () => {
  it('reports a throwing listener as a process warning and still accepts the observation', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const calibrator = createCalibrator();
    calibrator.onUpdate(() => {
      throw new Error('listener bug');
    });
    expect(calibrator.observe({ model: 'phi4', input: 'a b c', actualTokens: 4 })).toBe(true);
    expect(calibrator.get('phi4')?.observations).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      "@x/tokens: a 'calibration' listener threw: Error: listener bug",
      expect.objectContaining({ type: 'XListenerError', code: 'X_TOKENS_LISTENER_ERROR' }),
    );
  });
});
