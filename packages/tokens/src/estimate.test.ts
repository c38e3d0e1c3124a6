import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { cookbookMessages, cookbookToolMessages, cookbookTools } from './__fixtures__/cookbook';
import { corpus, type Sample } from './__fixtures__/corpus';
import { type Calibrator, createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { countTokens } from './count-tokens';
import { clearCountCache } from './encodings';
import { estimateTokens, getHeuristicProfile } from './estimate';
import type { Provider } from './types';

const llama3 = (text: string) => llama3Tokenizer.encode(text, { bos: false, eos: false }).length;
const mistral = (text: string) => mistralTokenizer.encode(text, false, false).length;

function meanAbsError(
  samples: Sample[],
  actual: (t: string) => number,
  guess: (t: string) => number,
) {
  let sum = 0;
  for (const s of samples) sum += Math.abs(guess(s.text) / actual(s.text) - 1);
  return sum / samples.length;
}

describe('estimateTokens', () => {
  it('counts exactly with errorMargin 0 when the model is an OpenAI model', () => {
    expect(estimateTokens('tiktoken is great!', { model: 'gpt-4o' })).toEqual({
      tokens: 6,
      method: 'exact',
      errorMargin: 0,
      overheadTokens: 0,
    });
    expect(estimateTokens(cookbookMessages, { model: 'gpt-4' }).tokens).toBe(129);
    expect(
      estimateTokens(cookbookToolMessages, { model: 'gpt-4o', tools: cookbookTools }).tokens,
    ).toBe(101);
  });

  it('adds the tool overhead to a plain text when tools are given with an OpenAI model', () => {
    const text = 'What is the weather in Paris?';
    const withTools = estimateTokens(text, { model: 'gpt-4o', tools: cookbookTools }).tokens;
    const toolsOnly = countChatTokens([], { model: 'gpt-4o', tools: cookbookTools }) - 3;
    expect(withTools).toBe(countTokens(text) + toolsOnly);
  });

  it('returns a heuristic with the provider margin when the model has no exact tokenizer', () => {
    const result = estimateTokens('The quick brown fox jumps over the lazy dog. '.repeat(20), {
      model: 'llama3.2:3b-instruct-q4_K_M',
    });
    expect(result.method).toBe('heuristic');
    expect(result.errorMargin).toBeGreaterThanOrEqual(getHeuristicProfile('ollama').errorMargin);
    expect(result.errorMargin).toBeLessThan(0.2);
    const actual = llama3('The quick brown fox jumps over the lazy dog. '.repeat(20));
    expect(Math.abs(result.tokens / actual - 1)).toBeLessThan(result.errorMargin);
  });

  it('widens the margin when the input is very short', () => {
    const short = estimateTokens('Hi', { provider: 'ollama' });
    expect(short.tokens).toBe(1);
    expect(short.errorMargin).toBe(1);
    expect(estimateTokens('', { provider: 'ollama' })).toEqual({
      tokens: 0,
      method: 'heuristic',
      errorMargin: getHeuristicProfile('ollama').errorMargin,
      overheadTokens: 0,
    });
  });

  it('starts from the original ratios: openai 0.25, ollama 0.27, gemini 0.22 tokens per char', () => {
    expect(getHeuristicProfile('openai').ratio).toBe(0.25);
    expect(getHeuristicProfile('ollama').ratio).toBe(0.27);
    expect(getHeuristicProfile('gemini').ratio).toBe(0.22);
    // Gemini's weights are the OpenAI ones scaled by 0.22 / 0.25.
    const text = 'A plain English sentence about the weather in the mountains this week.';
    const openai = estimateTokens(text, { provider: 'openai' }).tokens;
    const gemini = estimateTokens(text, { provider: 'gemini' }).tokens;
    expect(gemini / openai).toBeCloseTo(0.88, 1);
  });

  it.each<Provider>(['openai', 'anthropic', 'gemini', 'mistral', 'perplexity', 'ollama'])(
    "adds %s's per-message, per-name and priming overhead when messages are estimated",
    (provider) => {
      const profile = getHeuristicProfile(provider);
      const content = 'Summarise the attached report in three bullet points, please.';
      const strings =
        estimateTokens('user', { provider }).tokens + estimateTokens(content, { provider }).tokens;
      const one = estimateTokens([{ role: 'user', content }], { provider }).tokens;
      expect(Math.abs(one - (strings + profile.perMessage + profile.priming))).toBeLessThanOrEqual(
        1,
      );
      const named = estimateTokens([{ role: 'user', name: 'bob', content }], { provider }).tokens;
      const nameTokens = estimateTokens('bob', { provider }).tokens;
      expect(Math.abs(named - one - nameTokens - profile.perName)).toBeLessThanOrEqual(1);
      expect(estimateTokens([], { provider }).tokens).toBe(profile.priming);
    },
  );

  it('uses the Mistral profile for Mistral-family Ollama models and Llama 3 for Perplexity', () => {
    const text = 'function add(a, b) { return a + b; } // 2024-05-01';
    expect(estimateTokens(text, { model: 'mixtral:8x7b' }).tokens).toBe(
      estimateTokens(text, { provider: 'mistral' }).tokens,
    );
    expect(estimateTokens(text, { model: 'sonar-pro' }).tokens).toBe(
      estimateTokens(text, { provider: 'ollama' }).tokens,
    );
  });

  it('is closer than a flat ratio to Llama 3 and Mistral when the text is code or CJK', () => {
    for (const kind of ['code', 'cjk'] as const) {
      const samples = corpus.filter((s) => s.kind === kind);
      const flat = (ratio: number) => (t: string) => Math.round([...t].length * ratio);
      const ollama = (t: string) => estimateTokens(t, { provider: 'ollama' }).tokens;
      const mistralEstimate = (t: string) => estimateTokens(t, { provider: 'mistral' }).tokens;
      const ours = meanAbsError(samples, llama3, ollama);
      expect(ours).toBeLessThan(meanAbsError(samples, llama3, flat(0.27)));
      expect(ours).toBeLessThan(meanAbsError(samples, llama3, flat(0.25)));
      expect(ours).toBeLessThan(0.1);
      const oursMistral = meanAbsError(samples, mistral, mistralEstimate);
      expect(oursMistral).toBeLessThan(meanAbsError(samples, mistral, flat(0.27)));
      expect(oursMistral).toBeLessThan(0.1);
    }
  });

  it('stays within its error margin for 90% of the corpus when checked against Llama 3', () => {
    let within = 0;
    for (const sample of corpus) {
      const estimate = estimateTokens(sample.text, { provider: 'ollama' });
      if (Math.abs(estimate.tokens / llama3(sample.text) - 1) <= estimate.errorMargin) within++;
    }
    expect(within / corpus.length).toBeGreaterThanOrEqual(0.9);
  });

  it('returns a calibrated estimate with a tighter margin when the calibrator knows the model', () => {
    const calibrator = createCalibrator({ minObservations: 3 });
    const text = 'Calibration turns a heuristic into a measured estimate.';
    const heuristic = estimateTokens(text, { model: 'llama3.2', calibrator });
    expect(heuristic.method).toBe('heuristic');
    for (let i = 0; i < 3; i++) {
      calibrator.observe({ model: 'llama3.2', input: text, actualTokens: heuristic.tokens * 2 });
    }
    const calibrated = estimateTokens(text, { model: 'llama3.2:1b', calibrator });
    expect(calibrated.method).toBe('calibrated');
    expect(calibrated.tokens).toBe(heuristic.tokens * 2);
    expect(calibrated.errorMargin).toBeLessThan(heuristic.errorMargin);
  });

  it("asks any other object with observe() and get() for the model's state", () => {
    const real = createCalibrator({ minObservations: 1 });
    const text = 'A calibrator written by the application, wrapping one of ours.';
    real.observe({ model: 'llama3.2', input: text, actualTokens: 500 });
    const asked: unknown[] = [];
    const wrapper = {
      observe: real.observe,
      get: (model: string, provider?: never) => {
        asked.push([model, provider]);
        return real.get(model, provider);
      },
    } as unknown as Calibrator;
    const estimate = estimateTokens(text, { model: 'llama3.2', calibrator: wrapper });
    expect(asked).toEqual([['llama3.2', undefined]]);
    expect(estimate).toMatchObject({ method: 'calibrated', tokens: 500 });
  });

  it('throws TypeError when input or options are invalid', () => {
    expect(() => estimateTokens(5 as never)).toThrow(TypeError);
    expect(() => estimateTokens('x', { provider: 'acme' as never })).toThrow(
      'Expected `provider` to be one of "openai", "anthropic", "gemini", "mistral", "perplexity", "ollama", got `"acme"` (string)',
    );
    expect(() => estimateTokens('x', { calibrator: {} as never })).toThrow(
      'Expected `calibrator` to be a calibrator from createCalibrator(), got `{}` (object)',
    );
    expect(() => estimateTokens('x', null as never)).toThrow(TypeError);
  });
});

describe('the memo of estimated texts', () => {
  it('gives every corpus sample the same estimate read fresh, from the memo and after clearing it', () => {
    const providers: Provider[] = ['ollama', 'anthropic', 'mistral'];
    for (const provider of providers) {
      clearCountCache();
      const fresh = corpus.map((s) => estimateTokens(s.text, { provider }).tokens);
      const again = corpus.map((s) => estimateTokens(s.text, { provider }).tokens);
      const asMessages = corpus.map(
        (s) => estimateTokens([{ role: 'user', content: s.text }], { provider }).tokens,
      );
      clearCountCache();
      const cleared = corpus.map((s) => estimateTokens(s.text, { provider }).tokens);
      expect(again).toEqual(fresh);
      expect(cleared).toEqual(fresh);
      // a message adds its role and the chat's framing, never less than the text alone
      for (const [i, tokens] of asMessages.entries()) expect(tokens).toBeGreaterThan(fresh[i]!);
    }
  });

  it('estimates a text after another of the same length from its own characters', () => {
    const a = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const b = '頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁頁';
    expect(b.length).toBe(a.length);
    const first = estimateTokens(a, { provider: 'ollama' });
    const second = estimateTokens(b, { provider: 'ollama' });
    expect(second.tokens).toBeGreaterThan(first.tokens);
    expect(estimateTokens(a, { provider: 'ollama' })).toEqual(first);
    expect(estimateTokens(b, { provider: 'ollama' })).toEqual(second);
  });
});
