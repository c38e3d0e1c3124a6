import llama3Tokenizer from 'llama3-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/corpus';
import { asMessages } from './__fixtures__/user-message';
import { createCalibrator } from './calibrator';
import { fitsContext } from './context';
import { estimateTokens, getHeuristicProfile } from './estimate';

const llama3 = (text: string) => llama3Tokenizer.encode(text, { bos: false, eos: false }).length;

describe('createCalibrator (hostile counts)', () => {
  // Issue 13 item 3: a Modelfile SYSTEM prompt of 3,000 tokens that the server counts and the
  // client never sees, then short prompts. Folded into one ratio, a 1,000-character prompt was
  // refused as "about 51,657 tokens" in a 4,096 window, and never sent, so never corrected.
  const SYSTEM = 3000;
  const TEMPLATE = 10; // Llama 3 headers around one user message, plus the reply header
  const serverCount = (content: string) => SYSTEM + TEMPLATE + llama3(content);
  const shortPrompts = [
    'Hi!',
    'What is the capital of France?',
    'Name three rivers in Europe.',
    'Tell me a joke about cats, please, a short one.',
  ];
  const longPrompt =
    'The harbour ferries leave every twenty minutes from the north pier, and the ticket office opens at six. '
      .repeat(10)
      .slice(0, 1000);

  it('learns a hidden system prompt as an overhead, so a 1,000-character prompt fits 4,096 after four short prompts', () => {
    const calibrator = createCalibrator();
    for (const prompt of shortPrompts) {
      expect(
        calibrator.observe({
          model: 'llama3.2',
          input: asMessages(prompt),
          actualTokens: serverCount(prompt),
        }),
      ).toBe(true);
    }
    const state = calibrator.get('llama3.2')!;
    expect(state.overheadTokens).toBeGreaterThan(SYSTEM - 30);
    expect(state.overheadTokens).toBeLessThan(SYSTEM + 30);
    const estimate = estimateTokens(asMessages(longPrompt), { model: 'llama3.2', calibrator });
    expect(estimate.method).toBe('calibrated');
    expect(estimate.overheadTokens).toBe(state.overheadTokens);
    expect(Math.abs(estimate.tokens / serverCount(longPrompt) - 1)).toBeLessThan(0.05);
    const fit = fitsContext(asMessages(longPrompt), {
      model: 'llama3.2',
      calibrator,
      contextWindow: 4096,
    });
    expect(fit).toMatchObject({ fits: true, overheadTokens: state.overheadTokens });
  });

  it('learns the overhead when every short prompt has the same length', () => {
    const calibrator = createCalibrator();
    const prompt = 'What is the capital of France?';
    for (let i = 0; i < 4; i++) {
      calibrator.observe({
        model: 'llama3.2',
        input: asMessages(prompt),
        actualTokens: serverCount(prompt),
      });
    }
    const estimate = estimateTokens(asMessages(longPrompt), { model: 'llama3.2', calibrator });
    expect(estimate.overheadTokens).toBeGreaterThan(SYSTEM - 30);
    expect(Math.abs(estimate.tokens / serverCount(longPrompt) - 1)).toBeLessThan(0.1);
  });

  it('ignores three answers reporting 1e15 prompt tokens, and keeps learning from sane ones', () => {
    const calibrator = createCalibrator();
    for (const prompt of shortPrompts.slice(0, 3)) {
      expect(
        calibrator.observe({ model: 'llama3.2', input: asMessages(prompt), actualTokens: 1e15 }),
      ).toBe(false);
    }
    expect(calibrator.get('llama3.2')).toBeUndefined();
    expect(calibrator.stats()).toMatchObject({ observations: 0, rejected: 3, implausible: 3 });
    for (const prompt of shortPrompts) {
      calibrator.observe({
        model: 'llama3.2',
        input: asMessages(prompt),
        actualTokens: serverCount(prompt),
      });
    }
    expect(
      fitsContext(asMessages(longPrompt), { model: 'llama3.2', calibrator, contextWindow: 4096 })
        .fits,
    ).toBe(true);
  });

  it("ignores counts that cannot be the prompt's: non-finite, negative, fractional, beyond the bounds", () => {
    const calibrator = createCalibrator({ maxOverheadTokens: 1000 });
    const text = 'A prompt of a few words.';
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    const [minScale, maxScale] = getHeuristicProfile('ollama').scaleRange;
    for (const actualTokens of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -5,
      2.5,
      Math.ceil(maxScale * heuristic + 1000) + 1,
    ]) {
      expect(calibrator.observe({ model: 'llama3', input: text, actualTokens })).toBe(false);
    }
    const long = corpus[0]!.text;
    const partial = Math.floor(minScale * estimateTokens(long, { provider: 'ollama' }).tokens) - 5;
    expect(calibrator.observe({ model: 'llama3', input: long, actualTokens: partial })).toBe(false);
    expect(calibrator.stats()).toMatchObject({ observations: 0, rejected: 6, implausible: 6 });
    expect(calibrator.get('llama3')).toBeUndefined();
  });

  it('is corrected by later observations when the server stops adding the overhead', () => {
    const calibrator = createCalibrator({ window: 20 });
    const prompts = corpus.slice(0, 40).map((sample) => sample.text.slice(0, 400));
    for (const prompt of prompts.slice(0, 20)) {
      calibrator.observe({ model: 'llama3.2', input: prompt, actualTokens: 3000 + llama3(prompt) });
    }
    expect(calibrator.get('llama3.2')!.overheadTokens).toBeGreaterThan(2900);
    // The Modelfile lost its SYSTEM prompt: the new counts are far below the predictions, and
    // are held back as outliers at first, then used three at a time.
    for (const prompt of prompts.slice(20)) {
      calibrator.observe({ model: 'llama3.2', input: prompt, actualTokens: llama3(prompt) });
    }
    const state = calibrator.get('llama3.2')!;
    expect(state.overheadTokens).toBeLessThan(20);
    const probe = prompts[0]!;
    const estimate = estimateTokens(probe, { model: 'llama3.2', calibrator });
    expect(Math.abs(estimate.tokens / llama3(probe) - 1)).toBeLessThan(0.15);
  });

  it('holds back one or two outliers, and uses them once three are held', () => {
    const calibrator = createCalibrator({ minObservations: 2 });
    const text = 'The same prompt, counted by a server that changes its mind.';
    const heuristic = estimateTokens(text, { provider: 'ollama' }).tokens;
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic });
    const far = heuristic + 500;
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: far })).toBe(false);
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: heuristic })).toBe(
      true,
    );
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: far })).toBe(false);
    expect(calibrator.stats()).toMatchObject({ observations: 3, rejected: 2 });
    expect(calibrator.observe({ model: 'llama3', input: text, actualTokens: far })).toBe(true);
    expect(calibrator.stats()).toMatchObject({ observations: 6, rejected: 0 });
  });
});
