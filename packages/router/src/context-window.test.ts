import { describe, expect, it } from 'vitest';
import { fakeProvider, HI, overflowError } from './__fixtures__/fake-provider';
import type { RouterError } from './errors';
import { createRouter } from './router';

/**
 * A context overflow falls back only to a deployment with a larger window: larger than the window
 * that overflowed (`contextWindow`, the one the request ran with: Ollama's `num_ctx`), holding the
 * prompt. A model's trained maximum (`trainedContextLength`) is what it could be raised to, not
 * what overflowed.
 */
function overflowOnSmallNumCtx() {
  const a = fakeProvider('a');
  a.fallback = overflowError({
    model: 'm',
    promptTokens: 5_000,
    contextWindow: 4_096,
    trainedContextLength: 131_072,
  });
  const c = fakeProvider('c');
  return { a, c };
}

describe('Router.complete after a context overflow', () => {
  it('falls back to a deployment whose window holds the prompt, though smaller than the trained maximum', async () => {
    const { a, c } = overflowOnSmallNumCtx();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'c', group: 'chat', provider: c, model: 'm', priority: 1, contextWindow: 32_768 },
      ],
    });
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route).toMatchObject({ deployment: 'c', attempts: [{ deployment: 'a' }] });
    expect(c.requests).toHaveLength(1);
    // What overflowed is learnt as a's window, not its trained maximum.
    expect(router.stats().deployments.a).toMatchObject({ contextWindow: 4_096 });
  });

  it('passes over a deployment that overflowed on its window in use when a later prompt is larger', async () => {
    const { a, c } = overflowOnSmallNumCtx();
    const x = fakeProvider('x');
    x.fallback = overflowError({ model: 'x', promptTokens: 20_000, contextWindow: 16_384 });
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'c', group: 'chat', provider: c, model: 'm', priority: 1, contextWindow: 32_768 },
        { id: 'x', group: 'small', provider: x, model: 'x' },
      ],
      contextFallbacks: { small: ['chat'] },
    });
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('c');
    const answer = await router.complete({ model: 'small', messages: HI });
    expect(answer.route.deployment).toBe('c');
    // a held 4 096 tokens: a 20 000-token prompt is not sent to it.
    expect(a.requests).toHaveLength(1);
    expect(router.stats().deployments.a).toMatchObject({ contextWindow: 4_096, skipped: 1 });
  });

  it('fails with window-too-small only for a deployment that cannot hold the prompt', async () => {
    const { a, c } = overflowOnSmallNumCtx();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'c', group: 'chat', provider: c, model: 'm', priority: 1, contextWindow: 4_500 },
      ],
    });
    const error = (await router
      .complete({ model: 'chat', messages: HI })
      .catch((e: unknown) => e)) as RouterError;
    expect(error.attempts.map((x) => x.skipped)).toEqual([undefined, 'window-too-small']);
    expect(c.requests).toHaveLength(0);
  });

  it.each([
    [32_768, 4_096, 4_096],
    [4_000, 8_192, 4_000],
  ])(
    'keeps the smaller of a configured window (%i) and the one an overflow states (%i)',
    async (configured, stated, learnt) => {
      const a = fakeProvider('a');
      a.fallback = overflowError({ model: 'm', promptTokens: 9_000, contextWindow: stated });
      const router = createRouter({
        deployments: [
          { id: 'a', group: 'chat', provider: a, model: 'm', contextWindow: configured },
          { id: 'c', group: 'chat', provider: fakeProvider('c'), model: 'n', priority: 1 },
        ],
      });
      await router.complete({ model: 'chat', messages: HI });
      expect(router.stats().deployments.a).toMatchObject({ contextWindow: learnt });
    },
  );
});
