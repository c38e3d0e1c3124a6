import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { HI } from './__fixtures__/fake-provider';
import type { DeploymentOptions } from './deployment-options';
import type { RouterOptions } from './options';
import { createRouter } from './router';

/**
 * A group mixing an Ollama and an OpenAI deployment, without `dropUnknownFields`: a field only
 * one provider takes (Ollama's `think`) fails the call or not by which deployment the strategy
 * picks. The provider's `TypeError` then names the option that fixes it. Here the OpenAI
 * deployment is picked first (priority 0), so the outcome does not rest on a random draw.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const off = { retry: false, cache: false, rateLimit: false } as const;

async function setup(
  options: Omit<RouterOptions, 'deployments'> = {},
  hosted: Partial<DeploymentOptions> = {},
) {
  const sim = await startOllamaSim();
  const ollama = createOllamaProvider({ baseUrl: sim.url, ...off });
  const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
  open.push(sim, ollama, openai);
  const router = createRouter({
    deployments: [
      { id: 'hosted', group: 'chat', provider: openai, model: 'qwen3:4b', ...hosted },
      { id: 'local', group: 'chat', provider: ollama, model: 'qwen3:4b', priority: 1 },
    ],
    cooldown: false,
    ...options,
  });
  open.push(router);
  return { sim, router };
}

const sent = (sim: OllamaSim) => sim.requests.filter((r) => r.path !== '/api/show');

const REMEDY =
  ' (deployment "hosted" of group "chat" does not take it, another provider of the call does:' +
  ' set `dropUnknownFields: true` on the router, or on this deployment, to leave such fields out' +
  ' of the requests a deployment receives, or send `think` only to deployments that take it)';

describe('Router without dropUnknownFields', () => {
  it("names dropUnknownFields in the OpenAI deployment's TypeError for Ollama's think, its own message first", async () => {
    const { sim, router } = await setup();
    const error = await router
      .complete({ model: 'chat', messages: HI, think: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const { message } = error as TypeError;
    expect(message).toMatch(/^Unknown option `request\.think`: known keys: /);
    expect(message.endsWith(REMEDY)).toBe(true);
    // The provider's frames are kept under the new message.
    expect((error as TypeError).stack).toMatch(/^TypeError: Unknown option `request\.think`/);
    // Refused before anything was sent, and never a fallback.
    expect(sent(sim)).toEqual([]);
  });

  it('names it in a stream too', { timeout: 30_000 }, async () => {
    const { router } = await setup();
    const read = async () => {
      for await (const _ of router.stream({ model: 'chat', messages: HI, think: true })) {
        // nothing arrives
      }
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/^Unknown option `request\.think`/);
    expect((error as TypeError).message.endsWith(REMEDY)).toBe(true);
  });

  it("names it when the deployment's own dropUnknownFields: false overrides the router's", async () => {
    const { router } = await setup({ dropUnknownFields: true }, { dropUnknownFields: false });
    const error = await router
      .complete({ model: 'chat', messages: HI, think: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message.endsWith(REMEDY)).toBe(true);
  });

  it('leaves the error as the provider wrote it when no provider the call can reach takes the field', async () => {
    const sim = await startOllamaSim();
    const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
    const router = createRouter({
      deployments: [{ id: 'hosted', group: 'chat', provider: openai, model: 'qwen3:4b' }],
    });
    open.push(sim, openai, router);
    const error = await router
      .complete({ model: 'chat', messages: HI, think: true } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/^Unknown option `request\.think`: known keys: /);
    expect((error as TypeError).message).not.toContain('dropUnknownFields');
  });

  it('leaves a typo as the provider wrote it, with its closest key', async () => {
    const { router } = await setup();
    await expect(
      router.complete({ model: 'chat', messages: HI, temprature: 0.2 } as never),
    ).rejects.toThrow(
      new TypeError('Unknown option `request.temprature`: did you mean `request.temperature`?'),
    );
  });
});
