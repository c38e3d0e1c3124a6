import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture, startServer } from './__fixtures__/server';
import { isContextOverflowError } from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(defaultNumCtx: number, options: OllamaProviderOptions = {}) {
  const sim = await startOllamaSim({ loadTimeMs: 0, defaultNumCtx });
  sims.push(sim);
  const provider = createOllamaProvider({ baseUrl: sim.url, ...options });
  providers.push(provider);
  return { sim, provider };
}

const chats = (sim: OllamaSim) =>
  sim.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as Record<string, unknown>);
const loadedWindow = async (provider: OllamaProvider) =>
  (await provider.ps()).find((m) => m.name.startsWith('llama3.2'))?.contextLength;
const words = (n: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 5));

describe('num_ctx', () => {
  it('sends no num_ctx for a prompt that fits, so the loaded window stays the server default', async () => {
    const { sim, provider } = await setup(16_384);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(await loadedWindow(provider)).toBe(16_384);
    // About 6,000 tokens: more than 4,096 (the old fixed choice) but within the server's window.
    const long = words(4_500);
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: long }],
    });
    expect(answer.truncated).toBe(false);
    for (const body of chats(sim))
      expect((body.options as { num_ctx?: number })?.num_ctx).toBeUndefined();
    expect(await loadedWindow(provider)).toBe(16_384);
  });

  it('raises the window once for a prompt the loaded window cannot hold, then keeps sending it', async () => {
    const { sim, provider } = await setup(4_096);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    const long = words(4_500);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: long }] });
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'again' }] });
    const sent = chats(sim).map((b) => (b.options as { num_ctx?: number } | undefined)?.num_ctx);
    expect(sent[0]).toBeUndefined();
    expect(sent[1]).toBeGreaterThanOrEqual(8_192);
    // Kept for the model: the next request does not make Ollama reload it back.
    expect(sent[2]).toBe(sent[1]);
    expect(provider.stats().contextRaises).toBe(1);
    expect(await loadedWindow(provider)).toBe(sent[1]);
  });

  it('raises the window when tokens.onOverflow is undefined, as when it is left out', async () => {
    const { sim, provider } = await setup(4_096, { tokens: { onOverflow: undefined } });
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: words(4_500) }],
    });
    expect(answer.truncated).toBe(false);
    expect((chats(sim)[0]!.options as { num_ctx?: number }).num_ctx).toBeGreaterThanOrEqual(8_192);
  });

  it('uses the window tokens.numCtx pins, sent with every request', async () => {
    const { sim, provider } = await setup(16_384, { tokens: { numCtx: 8_192 } });
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect((chats(sim)[0]!.options as { num_ctx?: number }).num_ctx).toBe(8_192);
  });

  it('refuses before sending a prompt longer than the trained length', async () => {
    const { sim, provider } = await setup(4_096);
    const error = await provider
      .complete({ model: 'llama3.2', messages: [{ role: 'user', content: words(200_000) }] })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ trainedContextLength: 131_072 });
    expect(chats(sim)).toHaveLength(0);
  });
});

describe('the token estimate against what the server counts', () => {
  it('does not refuse a short prompt after learning a hidden 3,000-token SYSTEM prompt', async () => {
    const system = 'You are a careful assistant. '.repeat(400); // about 3,000 tokens at 0.27/char
    const sim = await startOllamaSim({
      loadTimeMs: 0,
      defaultNumCtx: 4_096,
      models: [{ name: 'hidden:1b', family: 'llama', contextLength: 131_072, system }],
    });
    sims.push(sim);
    const provider = createOllamaProvider({ baseUrl: sim.url, tokens: { onOverflow: 'error' } });
    providers.push(provider);
    for (let i = 0; i < 4; i++) {
      await provider.complete({
        model: 'hidden:1b',
        messages: [{ role: 'user', content: `q${i}` }],
      });
    }
    // 1,000 characters: about 270 tokens of its own plus the hidden 3,000 fit 4,096.
    const answer = await provider.complete({
      model: 'hidden:1b',
      messages: [{ role: 'user', content: 'x'.repeat(999) }],
    });
    expect(answer.truncated).toBe(false);
    expect(answer.estimatedPromptTokens).toBeLessThan(4_096);
  });

  it('ignores absurd counts from the server: they neither block the model nor poison the limiter', async () => {
    const answer = (prompt: number, completion: number) =>
      `${JSON.stringify({
        model: 'llama3.2',
        message: { role: 'assistant', content: 'ok' },
        done: true,
        prompt_eval_count: prompt,
        eval_count: completion,
      })}\n`;
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      '/api/chat': [
        (_req, res) => void res.end(answer(1e15, 1e18)),
        (_req, res) => void res.end(answer(12, 3)),
      ],
    });
    const provider = createOllamaProvider({
      baseUrl: server.url,
      rateLimit: { requestsPerSecond: 100, tokensPerMinute: 100_000 },
    });
    providers.push(provider);
    try {
      const broken = await provider.complete({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(broken.usage).toEqual({
        promptTokens: undefined,
        completionTokens: undefined,
        totalTokens: undefined,
      });
      // Not charged 1e18 tokens: the next call is admitted at once.
      const fine = await provider.complete({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'a normal question' }],
        cache: 'bypass',
      });
      expect(fine.usage.promptTokens).toBe(12);
      expect(provider.stats().promptTokens).toBe(12);
      expect(provider.rateLimiter!.stats().queued).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('absurd windows from the server', () => {
  it('are ignored: the window falls back to the default and a long prompt raises it', async () => {
    const show = JSON.parse(loadFixture('05-show-llama3.2.json').response.body!);
    show.model_info['llama.context_length'] = 1e300;
    show.parameters = `num_ctx                        1e+300\n${show.parameters}`;
    const server = await startServer({
      '/api/show': (_req, res) => void res.end(JSON.stringify(show)),
      '/api/ps': (_req, res) =>
        void res.end(
          JSON.stringify({ models: [{ name: 'llama3.2:latest', context_length: 1e300 }] }),
        ),
      '/api/chat': (_req, res) =>
        void res.end(
          `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'ok' }, done: true, prompt_eval_count: 12, eval_count: 1 })}\n`,
        ),
    });
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    try {
      const info = await provider.modelInfo('llama3.2');
      expect([info.contextLength, info.defaultNumCtx]).toEqual([undefined, undefined]);
      expect((await provider.ps())[0]!.contextLength).toBeUndefined();
      await provider.complete({
        model: 'llama3.2',
        messages: [{ role: 'user', content: words(4_500) }],
      });
      const chat = server.requests.find((r) => r.path === '/api/chat')!.json as {
        options?: { num_ctx?: number };
      };
      expect(chat.options?.num_ctx).toBe(8_192);
    } finally {
      await server.close();
    }
  });
});

describe('silent truncation with default options', () => {
  it('is flagged when the server keeps half its window', async () => {
    // The simulator counts 0.4 tokens per character, more than the estimate: a prompt estimated
    // to fit is cut by the server to num_ctx / 2 + 2.
    const sim = await startOllamaSim({ loadTimeMs: 0, defaultNumCtx: 4_096, tokensPerChar: 0.4 });
    sims.push(sim);
    const provider = createOllamaProvider({ baseUrl: sim.url });
    providers.push(provider);
    const truncated: unknown[] = [];
    provider.onTruncated((event) => truncated.push(event));
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'word '.repeat(2_600) }],
    });
    expect(answer.usage.promptTokens).toBe(2_050);
    expect(answer.truncated).toBe(true);
    expect(truncated).toHaveLength(1);
  });
});
