import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider, isServerTooOldError } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { isRouterError } from './errors';
import type { RouterFallbackEvent } from './events';
import { createRouter } from './router';

/**
 * A deployment whose server is too old for a field of the request (`@x/provider-ollama`'s
 * `ServerTooOldError`, `unsupportedBy: 'server'`), against real servers: two simulators on
 * 127.0.0.1 reporting their Ollama version, an @x/provider-ollama provider on each (retries off).
 * The request is well formed and a newer server takes it: the router moves on, and the old
 * deployment, healthy, is none the worse for it.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

/** `old` (priority 0) on a server of `versionA`, `new` (priority 1) on one of `versionB`. */
async function setup(versionA: string, versionB: string) {
  const sims = [
    await startOllamaSim({ version: versionA, loadTimeMs: 0 }),
    await startOllamaSim({ version: versionB, loadTimeMs: 0 }),
  ];
  open.push(...sims);
  const [a, b] = sims.map((sim) =>
    createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false, rateLimit: false }),
  );
  open.push(a!, b!);
  const fallbacks: RouterFallbackEvent[] = [];
  const router = createRouter({
    deployments: [
      { id: 'old', group: 'chat', provider: a!, model: 'qwen3:4b' },
      { id: 'new', group: 'chat', provider: b!, model: 'qwen3:4b', priority: 1 },
    ],
  });
  open.push(router);
  router.onFallback((event) => fallbacks.push(event));
  return { router, fallbacks, simA: sims[0]!, simB: sims[1]! };
}

const chats = (sim: OllamaSim) => sim.requests.filter((r) => r.path === '/api/chat').length;
const messages = [{ role: 'user' as const, content: 'Why is the sky blue?' }];
const withLogprobs = { model: 'chat' as const, messages, logprobs: true };

describe('Router with a deployment whose server is too old for a field', () => {
  it('answers from the newer server, and leaves the old one healthy with no failure', async () => {
    const { router, fallbacks, simA, simB } = await setup('0.12.10', '0.12.11');
    // More calls than cooldown.failures (3): none counts against the old deployment.
    for (let i = 0; i < 4; i++) {
      const answer = await router.complete(withLogprobs);
      expect(answer.route.deployment).toBe('new');
      expect(answer.logprobs?.length).toBeGreaterThan(0);
      expect(answer.route.attempts).toMatchObject([
        { deployment: 'old', error: { name: 'ServerTooOldError', kind: undefined } },
      ]);
    }
    const chunks: unknown[] = [];
    for await (const chunk of router.stream(withLogprobs)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(0);
    expect([chats(simA), chats(simB)]).toEqual([0, 5]);
    // The event says why it moved on: not the deployment's trouble.
    expect(fallbacks).toHaveLength(5);
    for (const event of fallbacks) {
      expect(event).toMatchObject({
        from: 'old',
        reason: 'unsupported',
        code: 'ServerTooOldError',
      });
    }
    expect(router.stats()).toMatchObject({
      failures: 0,
      deployments: { old: { status: 'healthy', cooldowns: 0, calls: 5, failures: 0 } },
    });
    // Still the first choice for what its server takes.
    expect((await router.complete({ model: 'chat', messages })).route.deployment).toBe('old');
  });

  it('rejects with the ServerTooOldError when no deployment of the group takes the field', async () => {
    const { router, simA, simB } = await setup('0.12.3', '0.12.10');
    const error = await router.complete(withLogprobs).catch((e: unknown) => e);
    expect(isServerTooOldError(error)).toBe(true);
    expect(isRouterError(error)).toBe(false);
    expect(error).toBeInstanceOf(RangeError);
    // The last deployment's: both were asked.
    expect(error).toMatchObject({ field: 'request.logprobs', serverVersion: '0.12.10' });
    expect([chats(simA), chats(simB)]).toEqual([0, 0]);
    expect(router.stats()).toMatchObject({
      failures: 1,
      deployments: {
        old: { status: 'healthy', calls: 1, failures: 0 },
        new: { status: 'healthy', calls: 1, failures: 0 },
      },
    });
  });
});

describe("Router with a deployment whose OpenAI-compatible server drops a field's value", () => {
  it("moves on from Ollama's /v1, which ignores service_tier, to a server that takes it", async () => {
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    open.push(sim);
    const off = { retry: false, cache: false, rateLimit: false, apiKey: 'sk-test' } as const;
    // The `ollama` preset refuses a tier before sending; the `openai` preset at another host
    // (a gateway) sends it.
    const local = createOpenAIProvider({ preset: 'ollama', baseUrl: `${sim.url}/v1`, ...off });
    const gateway = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, ...off });
    open.push(local, gateway);
    const router = createRouter({
      deployments: [
        { id: 'local', group: 'chat', provider: local, model: 'qwen3:4b' },
        { id: 'gateway', group: 'chat', provider: gateway, model: 'qwen3:4b', priority: 1 },
      ],
    });
    open.push(router);
    const answer = await router.complete({ model: 'chat', messages, serviceTier: 'flex' });
    expect(answer.route.deployment).toBe('gateway');
    expect(answer.route.attempts).toMatchObject([{ deployment: 'local' }]);
    const sent = sim.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(sent).toHaveLength(1);
    expect(router.stats()).toMatchObject({
      failures: 0,
      deployments: { local: { status: 'healthy', failures: 0 } },
    });
  });
});

describe('Router with a provider of your own', () => {
  /** An argument error carrying `unsupportedBy`, as a provider not built on ours may raise it. */
  const refusal = (Class: typeof TypeError, by: unknown) =>
    Object.assign(new Class('`request.x` needs a newer server'), { unsupportedBy: by });

  it.each([
    ['a RangeError', RangeError],
    ['a TypeError', TypeError],
  ])("moves on after %s with unsupportedBy: 'server'", async (_name, Class) => {
    const [a, b] = [fakeProvider('a'), fakeProvider('b')];
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'model-a' },
        { id: 'b', group: 'chat', provider: b, model: 'model-b', priority: 1 },
      ],
    });
    a.script = [refusal(Class, 'server')];
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
    expect(router.stats().deployments.a).toMatchObject({ calls: 1, failures: 0 });
  });

  it('rejects with an argument error whose unsupportedBy says anything else, as is', async () => {
    const [a, b] = [fakeProvider('a'), fakeProvider('b')];
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'model-a' },
        { id: 'b', group: 'chat', provider: b, model: 'model-b', priority: 1 },
      ],
    });
    const thrown = refusal(RangeError, 'caller');
    a.script = [thrown];
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toBe(thrown);
    expect(b.requests).toHaveLength(0);
  });
});
