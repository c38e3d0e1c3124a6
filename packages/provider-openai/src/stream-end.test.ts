// Where a streamed answer ends on a server whose finish event carries a running usage (Groq's
// `x_groq.usage`, vLLM's continuous usage stats): at the usage-only event after it, which holds
// the whole count, or `[DONE]`; and what else an answer says of itself (`service_tier`).
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, usage } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';

/** The usage-only event `include_usage` asks for, with OpenAI's details. */
const finalUsage = (extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'llama-3.3-70b-versatile',
    choices: [],
    usage: usage(19, 10, { prompt_tokens_details: { cached_tokens: 12 }, ...extra }),
  })}\n\n`;

/** Groq's last content event: the finish reason, and the usage under `x_groq`. */
const groqFinish = chunk({}, 'stop', {
  x_groq: {
    id: 'req_01',
    usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, completion_time: 0.5 },
  },
});

describe('a stream whose finish event carries a running usage', () => {
  it('ends at the usage-only event after it on Groq, whose count wins', async () => {
    const events = [chunk({ role: 'assistant', content: 'Hi' }), groqFinish, finalUsage(), DONE];
    const { provider } = await setup({ '/chat/completions': sse(events) }, { preset: 'groq' });
    const answer = await provider.complete(ask());
    expect(answer.usage).toMatchObject({ promptTokens: 19, cachedPromptTokens: 12 });
    // Groq's completion_time still gives the rate, though only x_groq.usage had it.
    expect(answer.timings.tokensPerSecond).toBe(20);
    const chunks = await collect(provider.stream({ ...ask(), cache: 'bypass' }));
    expect(chunks.at(-1)!.response!.usage).toMatchObject({ cachedPromptTokens: 12 });
  });

  it("ends at vLLM's last usage event with continuous usage stats", async () => {
    const running = (completion: number) => ({
      usage: { prompt_tokens: 19, completion_tokens: completion, total_tokens: 19 + completion },
    });
    const events = [
      chunk({ role: 'assistant', content: 'a' }, null, running(1)),
      chunk({ content: 'b' }, 'stop', running(2)),
      finalUsage(),
      DONE,
    ];
    const { provider } = await setup({ '/chat/completions': sse(events) }, { preset: 'vllm' });
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ content: 'ab', usage: { cachedPromptTokens: 12 } });
  });

  it('does not wait for [DONE] after the usage-only event, the connection left open', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(chunk({ role: 'assistant', content: 'Hi' }));
          res.write(groqFinish);
          res.write(finalUsage());
          // No [DONE], no end: the answer is complete all the same.
        },
      },
      { preset: 'groq' },
    );
    await expect(provider.complete(ask())).resolves.toMatchObject({
      content: 'Hi',
      usage: { cachedPromptTokens: 12 },
    });
  });

  it('keeps the running usage when [DONE] comes without a usage-only event', async () => {
    const events = [chunk({ role: 'assistant', content: 'Hi' }), groqFinish, DONE];
    const { provider } = await setup({ '/chat/completions': sse(events) }, { preset: 'groq' });
    const answer = await provider.complete(ask());
    expect(answer.usage).toMatchObject({ totalTokens: 29 });
    // The running usage has no details: the key is absent, not `undefined`.
    expect(answer.usage).not.toHaveProperty('cachedPromptTokens');
  });
});

describe('ChatResponse.serviceTier', () => {
  it('is the service_tier of a whole answer and of a stream, undefined when the server says none', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(200, completion({ content: 'hi' }, { service_tier: 'flex' })),
          sse([chunk({ role: 'assistant', content: 'hi' }, 'stop'), finalUsage(), DONE]),
          json(200, completion({ content: 'hi' }, { service_tier: undefined })),
        ],
      },
      { completeAs: 'whole', cache: false },
    );
    await expect(provider.complete(ask())).resolves.toMatchObject({ serviceTier: 'flex' });
    const chunks = await collect(provider.stream(ask()));
    // The fixture's events name OpenAI's `default` tier.
    expect(chunks.at(-1)!.response).toMatchObject({ serviceTier: 'default' });
    const none = await provider.complete(ask());
    expect(none.serviceTier).toBeUndefined();
  });
});
