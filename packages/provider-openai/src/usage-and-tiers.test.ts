// The usage details of OpenAI's `CompletionUsage` (openai-node v7.5.0), read tolerantly, and the
// price of an answer by the service tier that served it.
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, usage } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import type { OpenAIProviderOptions } from './options';

/** A whole answer whose usage is OpenAI's, its details replaced by `details`. */
function withDetails(prompt: unknown, completionDetails: unknown) {
  return json(200, {
    ...completion({ content: 'ok' }),
    usage: {
      ...usage(1_000, 200),
      prompt_tokens_details: prompt,
      completion_tokens_details: completionDetails,
    },
  });
}

describe('usage details', () => {
  it('maps prediction and audio tokens, buffered and streamed', async () => {
    const details = withDetails(
      { cached_tokens: 0, audio_tokens: 40 },
      {
        reasoning_tokens: 0,
        audio_tokens: 120,
        accepted_prediction_tokens: 30,
        rejected_prediction_tokens: 7,
      },
    );
    const raw = {
      ...usage(1_000, 200),
      prompt_tokens_details: { audio_tokens: 40 },
      completion_tokens_details: {
        audio_tokens: 120,
        accepted_prediction_tokens: 30,
        rejected_prediction_tokens: 7,
      },
    };
    const events = [
      chunk({ role: 'assistant', content: 'ok' }),
      chunk({}, 'stop'),
      `data: ${JSON.stringify({ choices: [], usage: raw })}\n\n`,
      DONE,
    ];
    const expected = {
      acceptedPredictionTokens: 30,
      rejectedPredictionTokens: 7,
      promptAudioTokens: 40,
      completionAudioTokens: 120,
    };
    const { provider } = await setup({ '/chat/completions': details }, { completeAs: 'whole' });
    expect((await provider.complete(ask())).usage).toMatchObject(expected);
    const { provider: streamed } = await setup({ '/chat/completions': sse(events) });
    const last = (await collect(streamed.stream(ask()))).at(-1)!;
    expect(last.response!.usage).toMatchObject(expected);
  });

  it('leaves each undefined, never NaN and never a throw, for what a hostile server sends', async () => {
    const odd = [null, 'many', -3, 1.5, Number.NaN, 1e300, {}, [4], true];
    const cases: Array<[unknown, unknown]> = [
      [undefined, undefined],
      [null, null],
      ['details', 42],
      ...odd.map((v): [unknown, unknown] => [
        { audio_tokens: v },
        { audio_tokens: v, accepted_prediction_tokens: v, rejected_prediction_tokens: v },
      ]),
    ];
    for (const [prompt, done] of cases) {
      const { provider } = await setup(
        { '/chat/completions': withDetails(prompt, done) },
        { completeAs: 'whole', cache: false },
      );
      const { usage: read } = await provider.complete(ask());
      expect(read).toMatchObject({ promptTokens: 1_000, completionTokens: 200 });
      for (const field of [
        'acceptedPredictionTokens',
        'rejectedPredictionTokens',
        'promptAudioTokens',
        'completionAudioTokens',
      ] as const) {
        expect(read[field]).toBeUndefined();
      }
    }
  });
});

describe('usage: cache writes, text and image tokens', () => {
  // OpenAI's `CompletionUsage` (openai-node v7.5.0): `cache_write_tokens` (GPT-5.6 and later bill
  // writes; OpenRouter reports them for the models it routes), `text_tokens` of the prompt and the
  // answer, `image_tokens` of the prompt.
  const raw = {
    ...usage(1_000, 200),
    prompt_tokens_details: {
      cached_tokens: 600,
      cache_write_tokens: 384,
      text_tokens: 700,
      image_tokens: 300,
      audio_tokens: 0,
    },
    completion_tokens_details: { reasoning_tokens: 64, text_tokens: 136, audio_tokens: 0 },
  };
  const expected = {
    cachedPromptTokens: 600,
    cacheWriteTokens: 384,
    promptTextTokens: 700,
    promptImageTokens: 300,
    completionTextTokens: 136,
    reasoningTokens: 64,
  };

  it('maps them, buffered and streamed', async () => {
    const whole = json(200, { ...completion({ content: 'ok' }), usage: raw });
    const { provider } = await setup({ '/chat/completions': whole }, { completeAs: 'whole' });
    expect((await provider.complete(ask())).usage).toMatchObject(expected);
    const events = [
      chunk({ role: 'assistant', content: 'ok' }),
      chunk({}, 'stop'),
      `data: ${JSON.stringify({ choices: [], usage: raw })}\n\n`,
      DONE,
    ];
    const { provider: streamed } = await setup({ '/chat/completions': sse(events) });
    const last = (await collect(streamed.stream(ask()))).at(-1)!;
    expect(last.response!.usage).toMatchObject(expected);
  });

  it('leaves each undefined when absent or not a count', async () => {
    for (const v of [undefined, null, 'many', -3, 1.5, Number.NaN, {}, true]) {
      const { provider } = await setup(
        {
          '/chat/completions': withDetails(
            { cache_write_tokens: v, text_tokens: v, image_tokens: v },
            { text_tokens: v },
          ),
        },
        { completeAs: 'whole', cache: false },
      );
      const { usage: read } = await provider.complete(ask());
      expect(read).toMatchObject({ promptTokens: 1_000, completionTokens: 200 });
      for (const field of [
        'cacheWriteTokens',
        'promptTextTokens',
        'promptImageTokens',
        'completionTextTokens',
      ] as const) {
        expect(read[field]).toBeUndefined();
      }
    }
  });
});

/** An answer of gpt-4o-mini served at `tier` (1M prompt tokens, 1M completion tokens). */
async function servedAt(tier: unknown, options: OpenAIProviderOptions = {}) {
  const { provider } = await setup(
    {
      '/chat/completions': json(200, {
        ...completion({ content: 'ok' }),
        usage: usage(1_000_000, 1_000_000),
        service_tier: tier,
      }),
    },
    { cache: false, ...options },
  );
  return provider.complete(ask());
}

describe('costUsd by service tier', () => {
  // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens.
  const standard = 0.75;

  it('prices the standard tier as the table does', async () => {
    for (const tier of ['default', undefined, null]) {
      expect((await servedAt(tier)).costUsd).toBeCloseTo(standard, 9);
    }
  });

  it("prices OpenAI's flex at half, Batch API rates", async () => {
    const answer = await servedAt('flex');
    expect(answer.serviceTier).toBe('flex');
    expect(answer.costUsd).toBeCloseTo(standard / 2, 9);
  });

  it("prices OpenAI's priority at the model's priority prices, and fast as priority", async () => {
    // gpt-4o-mini at priority: $0.25 per million input tokens, $1 per million output tokens.
    for (const tier of ['priority', 'fast']) {
      const answer = await servedAt(tier);
      expect(answer.serviceTier).toBe(tier);
      expect(answer.costUsd).toBeCloseTo(1.25, 9);
    }
  });

  it('leaves priority unpriced when the model has no priority price, or on another server', async () => {
    // o1: no priority price in the table (it is never the standard one's $15 + $60).
    const { provider } = await setup(
      {
        '/chat/completions': json(200, {
          ...completion({ content: 'ok' }),
          model: 'o1',
          usage: usage(1_000_000, 1_000_000),
          service_tier: 'priority',
        }),
      },
      { cache: false },
    );
    const o1 = await provider.complete(ask('Hi', { model: 'o1' }));
    expect(o1.serviceTier).toBe('priority');
    expect(o1.costUsd).toBeUndefined();
    // The table's priority prices are OpenAI's: another hosted server's priority has no price.
    expect(
      (await servedAt('priority', { preset: 'groq', apiKey: 'gsk-test' })).costUsd,
    ).toBeUndefined();
  });

  it('leaves the cost undefined for a tier whose price is unknown, never the standard one', async () => {
    for (const tier of ['scale', 'auto', 'something-new']) {
      const answer = await servedAt(tier);
      expect(answer.serviceTier).toBe(tier);
      expect(answer.costUsd).toBeUndefined();
    }
  });

  it("prices Groq's flex as on-demand, its documented price, and a local server's as without a tier", async () => {
    const groq = await servedAt('flex', { preset: 'groq', apiKey: 'gsk-test' });
    expect(groq.costUsd).toBeCloseTo(standard, 9);
    expect(
      (await servedAt('on_demand', { preset: 'groq', apiKey: 'gsk-test' })).costUsd,
    ).toBeCloseTo(standard, 9);
    // A server of your own bills no tier: its answer keeps the price it has without one.
    expect((await servedAt('priority', { preset: 'vllm' })).costUsd).toBeCloseTo(standard, 9);
  });

  it('keeps the tier and its price on a cached answer replayed', async () => {
    const { provider, server } = await setup({
      '/chat/completions': json(200, {
        ...completion({ content: 'ok' }),
        usage: usage(1_000_000, 1_000_000),
        service_tier: 'flex',
      }),
    });
    const request = ask('Hi', { temperature: 0 });
    await provider.complete(request);
    const replayed = await provider.complete(request);
    expect(replayed).toMatchObject({ cached: true, serviceTier: 'flex' });
    expect(replayed.costUsd).toBeCloseTo(standard / 2, 9);
    expect(server.requests).toHaveLength(1);
  });
});

/**
 * An answer of `model` whose prompt of 1M tokens read 200,000 from the prompt cache and wrote
 * 400,000 to it (`prompt_tokens_details.cache_write_tokens`, as GPT-5.6 reports), with 100,000
 * completion tokens.
 */
function wroteToCache(model: string, extra: Record<string, unknown> = {}) {
  return json(200, {
    ...completion({ content: 'ok' }),
    model,
    usage: {
      ...usage(1_000_000, 100_000),
      prompt_tokens_details: { cached_tokens: 200_000, cache_write_tokens: 400_000 },
    },
    ...extra,
  });
}

describe('costUsd with cache writes', () => {
  // gpt-5.6: $5 per million input tokens, $0.50 cache reads, $6.25 cache writes, $30 output.
  // 400,000 plain × 5 + 200,000 read × 0.5 + 400,000 written × 6.25 + 100,000 out × 30, per 1M.
  const withWrites = 2 + 0.1 + 2.5 + 3;

  it('bills the written prompt tokens at the cache-write price, once, buffered and streamed', async () => {
    const { provider } = await setup(
      { '/chat/completions': wroteToCache('gpt-5.6-2026-07-01') },
      { completeAs: 'whole', cache: false },
    );
    const answer = await provider.complete(ask('Hi', { model: 'gpt-5.6' }));
    expect(answer.usage).toMatchObject({ cachedPromptTokens: 200_000, cacheWriteTokens: 400_000 });
    expect(answer.costUsd).toBeCloseTo(withWrites, 9);

    const raw = {
      ...usage(1_000_000, 100_000),
      prompt_tokens_details: { cached_tokens: 200_000, cache_write_tokens: 400_000 },
    };
    const events = [
      chunk({ role: 'assistant', content: 'ok' }),
      chunk({}, 'stop'),
      `data: ${JSON.stringify({ choices: [], usage: raw })}\n\n`,
      DONE,
    ];
    const { provider: streamed } = await setup(
      { '/chat/completions': sse(events) },
      { cache: false },
    );
    const last = (await collect(streamed.stream(ask('Hi', { model: 'gpt-5.6' })))).at(-1)!;
    expect(last.response!.costUsd).toBeCloseTo(withWrites, 9);
  });

  it('bills writes at the input price when the model has no cache-write price', async () => {
    // gpt-5.5 writes for free: the same usage costs what it did without the writes' count.
    const { provider } = await setup(
      { '/chat/completions': wroteToCache('gpt-5.5') },
      { completeAs: 'whole', cache: false },
    );
    const answer = await provider.complete(ask('Hi', { model: 'gpt-5.5' }));
    expect(answer.costUsd).toBeCloseTo(4 + 0.1 + 3, 9);
  });

  it('halves the writes with the rest at flex, and keeps the price on a replayed answer', async () => {
    const { provider, server } = await setup({
      '/chat/completions': wroteToCache('gpt-5.6', { service_tier: 'flex' }),
    });
    const request = ask('Hi', { model: 'gpt-5.6', temperature: 0 });
    expect((await provider.complete(request)).costUsd).toBeCloseTo(withWrites / 2, 9);
    const replayed = await provider.complete(request);
    expect(replayed.cached).toBe(true);
    expect(replayed.costUsd).toBeCloseTo(withWrites / 2, 9);
    expect(server.requests).toHaveLength(1);
  });

  it('bills reads and writes at the priority prices at priority, and keeps it on a replayed answer', async () => {
    // gpt-5.6 at priority: $10 input, $1 cache reads, $12.50 cache writes, $60 output.
    const atPriority = 400_000 * 10e-6 + 200_000 * 1e-6 + 400_000 * 12.5e-6 + 100_000 * 60e-6;
    const { provider, server } = await setup({
      '/chat/completions': wroteToCache('gpt-5.6', { service_tier: 'priority' }),
    });
    const request = ask('Hi', { model: 'gpt-5.6', temperature: 0 });
    expect((await provider.complete(request)).costUsd).toBeCloseTo(atPriority, 9);
    const replayed = await provider.complete(request);
    expect(replayed.cached).toBe(true);
    expect(replayed.costUsd).toBeCloseTo(atPriority, 9);
    expect(server.requests).toHaveLength(1);
    // A write count above the uncached prompt is left out at priority too, as at the standard tier.
    const { provider: confused } = await setup(
      {
        '/chat/completions': json(200, {
          ...completion({ content: 'ok' }),
          usage: {
            ...usage(1_000_000, 0),
            prompt_tokens_details: { cached_tokens: 800_000, cache_write_tokens: 300_000 },
          },
          service_tier: 'priority',
        }),
      },
      { completeAs: 'whole', cache: false },
    );
    const answer = await confused.complete(ask('Hi', { model: 'gpt-5.6' }));
    // 200,000 plain × 10 + 800,000 read × 1, per 1M.
    expect(answer.costUsd).toBeCloseTo(2 + 0.8, 9);
  });

  it('leaves writes unpriced when the server counts more than the uncached prompt', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': json(200, {
          ...completion({ content: 'ok' }),
          usage: {
            ...usage(1_000_000, 0),
            prompt_tokens_details: { cached_tokens: 800_000, cache_write_tokens: 300_000 },
          },
        }),
      },
      { completeAs: 'whole', cache: false },
    );
    const answer = await provider.complete(ask('Hi', { model: 'gpt-5.6' }));
    // 200,000 plain × 5 + 800,000 read × 0.5, per 1M: the confused write count adds nothing.
    expect(answer.costUsd).toBeCloseTo(1 + 0.4, 9);
  });
});
