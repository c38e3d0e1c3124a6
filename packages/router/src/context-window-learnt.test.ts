import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter } from './router';

/**
 * The window a server's overflow error states is learnt, against real servers: simulators on
 * 127.0.0.1 answering a context overflow as OpenAI, llama.cpp (through Ollama) and Ollama itself
 * word it. Two deployments of one model in one group are taken to share a window: once one
 * overflowed, the other is passed over, and the call goes on to the context fallback group.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const OPENAI_TEXT =
  "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.";
const LLAMA_CPP_TEXT =
  'request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it';
const OLLAMA_TEXT =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

type Wire = 'openai' | 'ollama';
const CHAT: Record<Wire, string> = { openai: '/v1/chat/completions', ollama: '/api/chat' };

async function sims(count: number, defaultNumCtx?: number): Promise<OllamaSim[]> {
  const options = defaultNumCtx === undefined ? {} : { defaultNumCtx };
  const started = await Promise.all(Array.from({ length: count }, () => startOllamaSim(options)));
  open.push(...started);
  return started;
}

function provider(wire: Wire, sim: OllamaSim) {
  const p =
    wire === 'openai'
      ? createOpenAIProvider({ preset: 'ollama', baseUrl: `${sim.url}/v1`, retry: { retries: 0 } })
      : createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false, rateLimit: false });
  open.push(p);
  return p;
}

/** a and b serve llama3.2 in `chat` and overflow with `text`; c serves it in `long`. */
async function setup(wire: Wire, text: string) {
  const [a, b] = await sims(2);
  // c runs the model with a window that holds the prompt: once loaded, its /api/ps says so (a
  // later call that overflowed asks it again).
  const [c] = await sims(1, 32_768);
  for (const s of [a!, b!]) {
    s.setFaults([{ route: CHAT[wire], fault: { kind: 'status', status: 400, error: text } }]);
  }
  const router = createRouter({
    random: () => 0.9,
    deployments: [
      { group: 'chat', id: 'a', provider: provider(wire, a!), model: 'llama3.2' },
      { group: 'chat', id: 'b', provider: provider(wire, b!), model: 'llama3.2' },
      { group: 'long', id: 'c', provider: provider(wire, c!), model: 'llama3.2' },
    ],
    contextFallbacks: { chat: ['long'] },
  });
  open.push(router);
  const chats = (s: OllamaSim | undefined) => s!.stats().byRoute[CHAT[wire]] ?? 0;
  return { router, calls: () => chats(a) + chats(b), served: () => chats(c) };
}

const ask = { model: 'chat' as const, messages: [{ role: 'user' as const, content: 'long' }] };

describe('a context overflow whose error states the window', () => {
  it.each([
    ['openai', OPENAI_TEXT],
    ['ollama', LLAMA_CPP_TEXT],
  ] as const)(
    '(%s) learns it, passes over the same model in the group, and later prompts too',
    async (wire, text) => {
      const { router, calls, served } = await setup(wire, text);
      const first = await router.complete(ask);
      expect(first.route).toMatchObject({ deployment: 'c', servedBy: 'long' });
      // One of a and b was called; the other, taken to hold the same 8192 tokens, was not.
      expect(calls()).toBe(1);
      const overflowed = first.route.attempts[0]!.deployment;
      expect(router.stats().deployments[overflowed]).toMatchObject({ contextWindow: 8192 });
      // A later long prompt: the first of the group overflows, the other is passed over again.
      const later = await router.complete(ask);
      expect(later.route.deployment).toBe('c');
      expect(calls()).toBe(2);
      expect(served()).toBe(2);
      const skipped = Object.values(router.stats().deployments).reduce((n, d) => n + d.skipped, 0);
      expect(skipped).toBe(2);
    },
  );

  it('passes over both deployments once a prompt larger than their windows overflowed elsewhere', async () => {
    const [a, b, x, c] = await sims(4);
    const overflow = (error: string) => ({ kind: 'status' as const, status: 400, error });
    a!.setFaults([{ route: CHAT.openai, fault: overflow(OPENAI_TEXT) }]);
    x!.setFaults([
      {
        route: CHAT.openai,
        fault: overflow(
          "This model's maximum context length is 16384 tokens. However, your messages resulted in 20000 tokens.",
        ),
      },
    ]);
    const router = createRouter({
      random: () => 0.9,
      deployments: [
        { group: 'chat', id: 'a', provider: provider('openai', a!), model: 'llama3.2' },
        {
          group: 'chat',
          id: 'b',
          provider: provider('openai', b!),
          model: 'llama3.2',
          priority: 1,
        },
        { group: 'small', id: 'x', provider: provider('openai', x!), model: 'qwen3' },
        { group: 'long', id: 'c', provider: provider('openai', c!), model: 'llama3.2' },
      ],
      contextFallbacks: { chat: ['long'], small: ['chat', 'long'] },
    });
    open.push(router);
    expect((await router.complete(ask)).route.deployment).toBe('c');
    const answer = await router.complete({ ...ask, model: 'small' });
    expect(answer.route.deployment).toBe('c');
    expect(answer.route.attempts.map((t) => t.deployment)).toEqual(['x']);
    // Neither a (learnt 8192) nor b (taken to hold the same) got the 20 000-token prompt.
    expect(a!.stats().byRoute[CHAT.openai]).toBe(1);
    expect(b!.stats().byRoute[CHAT.openai] ?? 0).toBe(0);
    expect(router.stats().deployments).toMatchObject({ a: { skipped: 1 }, b: { skipped: 2 } });
  });
});

describe('a context overflow whose error names no window', () => {
  it("passes over the other deployments of the model in the group within the call (Ollama's text)", async () => {
    const { router, calls } = await setup('ollama', OLLAMA_TEXT);
    const answer = await router.complete(ask);
    expect(answer.route.deployment).toBe('c');
    expect(calls()).toBe(1);
    expect(answer.route.attempts).toHaveLength(1);
    // Nothing was learnt: a and b still have no window.
    expect(router.stats().deployments).toMatchObject({
      a: { contextWindow: undefined },
      b: { contextWindow: undefined },
    });
  });
});
