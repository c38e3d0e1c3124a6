import { countTokens } from '@x/tokens';
import { describe, expect, it } from 'vitest';
import { ContextOverflowError } from '../context-overflow-error';
import { createErrorKit } from '../error-kit';
import { type ContextInput, type ContextPlanner, ContextStage } from './context';

interface Request {
  text: string;
}

const op: ContextInput<Request> = {
  model: () => 'gpt-4o',
  prompt: (request) => ({ text: request.text }),
  checksContext: true,
};

function stage(window: number, known: boolean, onOverflow: 'error' | 'allow' = 'error') {
  const planner: ContextPlanner<Request> = {
    requested: () => undefined,
    known: () => (known ? { window, send: undefined } : undefined),
    lookup: async () => ({ window, send: undefined }),
  };
  return new ContextStage<Request>({
    tokens: { calibrator: undefined, onOverflow, reserveOutputTokens: 0, truncationRatio: 0.5 },
    provider: 'openai',
    planner,
    kit: createErrorKit({ provider: 'demo', label: 'Demo' }),
    stats: { contextRaised() {} } as never,
    topics: { 'context-raised': { active: false } } as never,
  });
}

async function refusal(result: unknown): Promise<ContextOverflowError> {
  try {
    await result;
  } catch (error) {
    expect(error).toBeInstanceOf(ContextOverflowError);
    return error as ContextOverflowError;
  }
  throw new Error('expected a ContextOverflowError');
}

describe('the context check of an exactly counted model', () => {
  // 'a' × 4e6 is 500,000 tokens exactly (seconds to count, hundreds of MB before the lean merge).
  const huge = { text: 'a'.repeat(4e6) };

  it.each([
    ['known', true],
    ['looked up', false],
  ])(
    'refuses a prompt far past a %s window from the estimate, without an exact count',
    async (_, known) => {
      const error = await refusal(stage(128_000, known).prepare(op, huge, undefined, false));
      expect(error).toMatchObject({ source: 'estimate', contextWindow: 128_000 });
      // The heuristic count, within its 5 % margin of the exact one, not the exact one.
      expect(error.promptTokens).not.toBe(500_000);
      expect(Math.abs(error.promptTokens! / 500_000 - 1)).toBeLessThan(0.05);
      expect(error.message).toContain(`about ${error.promptTokens} tokens`);
    },
  );

  it('counts exactly a prompt that may fit, and one just over the window', async () => {
    const text = 'a'.repeat(12_000);
    const exact = countTokens(text, { model: 'gpt-4o' });
    const fits = await stage(exact, true).prepare(op, { text }, undefined, false);
    expect(fits.estimate).toBe(exact);
    const error = await refusal(stage(exact - 1, true).prepare(op, { text }, undefined, false));
    expect(error.promptTokens).toBe(exact);
  });

  it("keeps the exact count with onOverflow 'allow' (nothing is checked)", async () => {
    const text = 'a'.repeat(40_000);
    const prepared = await stage(100, true, 'allow').prepare(op, { text }, undefined, false);
    expect(prepared.estimate).toBe(countTokens(text, { model: 'gpt-4o' }));
  });

  it('counts a long prompt in steps (a promise), exactly as before; a short one at once', async () => {
    const text = `${'a'.repeat(30_000)} ${'漢字 😀'.repeat(3_000)}`;
    const exact = countTokens(text, { model: 'gpt-4o' });
    const long = stage(exact, true).prepare(op, { text }, undefined, false);
    expect(long).toBeInstanceOf(Promise);
    expect((await long).estimate).toBe(exact);
    const error = await refusal(stage(exact - 1, true).prepare(op, { text }, undefined, false));
    expect(error).toMatchObject({ promptTokens: exact, source: 'estimate' });
    const short = stage(128_000, true).prepare(op, { text: 'a'.repeat(8_191) }, undefined, false);
    expect(short).not.toBeInstanceOf(Promise);
    expect(short).toMatchObject({ estimate: countTokens('a'.repeat(8_191), { model: 'gpt-4o' }) });
  });

  it('estimates a long prompt for the limiter without a check, in steps too', async () => {
    const text = 'hello world. '.repeat(1_000);
    const prepared = stage(100, true, 'allow').prepare(op, { text }, undefined, true);
    expect(prepared).toBeInstanceOf(Promise);
    expect((await prepared).estimate).toBe(countTokens(text, { model: 'gpt-4o' }));
  });
});
