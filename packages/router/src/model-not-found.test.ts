import { createRandom } from '@x/internal';
import { defaultModels, type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider, isModelNotFoundError } from '@x/provider-ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { linkedState } from './__fixtures__/routers';
import { isRouterError, type RouterError } from './errors';
import type { RouterOptions } from './options';
import { createRouter } from './router';

/**
 * A deployment whose server lacks the model (an Ollama box that never pulled it), against real
 * servers: two simulators on 127.0.0.1 and an @x/provider-ollama provider on each (retries off).
 * The router chooses each deployment's model, so the 404 is that deployment's trouble.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

/**
 * Deployment `a` asks its server for `modelA`, `b` asks its own for `modelB`; `b` is the backup
 * unless `weighted` (then both share priority 0 and a seeded weighted draw picks).
 */
async function setup(
  modelA: string,
  modelB: string,
  options: { weighted?: boolean; router?: Omit<RouterOptions, 'deployments'> } = {},
) {
  const sims = [await startOllamaSim({ models: defaultModels }), await startOllamaSim()];
  open.push(...sims);
  const [a, b] = sims.map((sim) =>
    createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false, rateLimit: false }),
  );
  open.push(a!, b!);
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a!, model: modelA },
      { id: 'b', group: 'chat', provider: b!, model: modelB, priority: options.weighted ? 0 : 1 },
    ],
    random: createRandom(7),
    ...options.router,
  });
  open.push(router);
  return { router, simA: sims[0]!, simB: sims[1]! };
}

/** The provider looks the model up (`/api/show`) before it chats: the 404 comes from there. */
const notFound = (sim: OllamaSim) => sim.stats().byStatus['404'] ?? 0;
const ask = { model: 'chat' as const, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('Router.complete with a deployment missing the model', () => {
  it('answers every call from the deployment that has the model, and cools the other down', async () => {
    const { router, simA } = await setup('not-pulled', 'llama3.2', { weighted: true });
    const served: string[] = [];
    for (let i = 0; i < 20; i++) served.push((await router.complete(ask)).route.deployment);
    expect(served.filter((d) => d === 'b')).toHaveLength(20);
    // Three failures in a row (the default) took it out: no call reached it after them.
    expect(notFound(simA)).toBe(3);
    expect(router.stats()).toMatchObject({
      failures: 0,
      deployments: { a: { status: 'cooling', cooldowns: 1, calls: 3, failures: 3 } },
    });
  });

  it("lists the deployment's model-not-found among the attempts of the answer", async () => {
    const { router } = await setup('not-pulled', 'llama3.2');
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({
      deployment: 'b',
      attempts: [
        {
          deployment: 'a',
          model: 'not-pulled',
          error: { code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND', kind: 'model-not-found' },
        },
      ],
    });
  });

  it("rejects with the provider's model-not-found error when every deployment lacks the model", async () => {
    const { router, simA, simB } = await setup('not-pulled', 'not-pulled-either');
    const error = await router.complete(ask).catch((e: unknown) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(isRouterError(error)).toBe(false);
    expect(error).toMatchObject({ kind: 'model-not-found', model: 'not-pulled-either' });
    expect([notFound(simA), notFound(simB)]).toEqual([1, 1]);
    expect(router.stats().failuresByCode).toEqual({ X_PROVIDER_OLLAMA_MODEL_NOT_FOUND: 1 });
  });

  it('rejects with a RouterError of kind model-not-found when a deployment passed over may have it', async () => {
    const { state, link } = linkedState();
    const { router } = await setup('not-pulled', 'not-pulled-either', { router: { state } });
    // b is out for a while (another instance took it out): a retry may find it back.
    link().cooldown('b', 30_000, 'failures');
    const error = (await router.complete(ask).catch((e: unknown) => e)) as RouterError;
    expect(isRouterError(error)).toBe(true);
    expect(error.attempts.map((a) => [a.deployment, a.skipped])).toEqual([
      ['a', undefined],
      ['b', 'cooldown'],
    ]);
    expect(error).toMatchObject({ kind: 'model-not-found', retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(29_000);
  });
});
