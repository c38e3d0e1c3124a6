import { createOpenAIProvider } from '@x/provider-openai';
import OpenAI from 'openai';
import { Pool } from 'undici';
import type { Suite } from '../context';
import type { Target } from '../results';
import { startSimProcess } from '../servers/sim';
import { clientGroups, joined } from './provider-common';
import { type RawCall, rawSse, rawSseIterated, rawWhole } from './raw-undici';

/** An OpenAI model: the provider counts its prompt exactly (js-tiktoken's o200k_base). */
const MODEL = 'gpt-4o-mini';
const KEY = 'sk-bench-0123456789';

// issue 15: ≥ 2x the official client, ≥ 0.8x raw undici; issue 17: ≥ 0.9x raw undici at c=16
// (both reading the answer the same way), p50 overhead < 30 µs below
const targets = (c: number): Target[] => [
  { vs: 'raw undici', min: c >= 16 ? 0.9 : 0.8 },
  { vs: 'openai', min: 2 },
];

export const providerOpenAISuite: Suite = {
  name: 'provider-openai',
  title: '@x/provider-openai: complete() through the whole pipeline',
  packages: ['@x/provider-openai', '@x/ollama-sim'],
  async prepare(ctx) {
    const sim = await startSimProcess({ models: [{ name: MODEL }] });
    const baseUrl = `${sim.url}/v1`;
    const options = {
      baseUrl,
      apiKey: KEY,
      cache: false,
      // on, but never the bottleneck: its cost is measured, not its waiting
      rateLimit: { requestsPerSecond: 1e9 },
    } as const;
    // complete() as users get it: the answer streamed as SSE, read whole.
    const streamed = createOpenAIProvider(options);
    // completeAs: 'whole': one JSON answer.
    const whole = createOpenAIProvider({ ...options, completeAs: 'whole' });
    const pool = new Pool(sim.url, { connections: 16 });
    const official = new OpenAI({ apiKey: KEY, baseURL: baseUrl });
    const messages = [
      { role: 'system' as const, content: 'You are a concise assistant.' },
      { role: 'user' as const, content: 'Say hello to user number 1.' },
    ];
    const raw = (fields: Record<string, unknown>): RawCall => ({
      pool,
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: MODEL, messages, ...fields }),
    });
    // What complete() sends by default: the usage comes in the last event.
    const streamOptions = { stream: true, stream_options: { include_usage: true } } as const;
    const streamCall = raw(streamOptions);
    // The official client streaming as its users read it: chunks iterated, deltas joined.
    const officialStreamed = async () => {
      let content = '';
      const stream = await official.chat.completions.create({
        model: MODEL,
        messages,
        ...streamOptions,
      });
      for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
      return content;
    };
    const wholeCall = raw({});
    const describe = (c: number, how: string) =>
      `${c} concurrent caller${c > 1 ? 's' : ''}, /v1/chat/completions against @x/ollama-sim's /v1 (its own process, answering at once with 16 tokens), ${how}; the provider with pool, breaker, retries, exact token count (${MODEL}) and a rate limiter it never reaches, cache off`;

    const streamedGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-openai',
          name: '@x/provider-openai complete() (streamed, the default)',
          call: () => streamed.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (stream: true, SSE events parsed, deltas joined)',
          call: () => rawSse(streamCall),
        },
        peer: {
          library: 'openai',
          name: 'openai (official client) chat.completions.create({ stream: true }) (deltas joined)',
          call: officialStreamed,
        },
        targets,
        maxP50OverheadUs: 30,
        setup: 'OpenAI /v1/chat/completions streamed',
        description: (c) => describe(c, 'the answer streamed as SSE and read whole by everyone'),
      },
      ctx.profile,
    );
    // stream(), as a chat UI reads it: every chunk handed over as it arrives. No issue sets a
    // target for it; the groups say what streaming costs against the same floor and peer.
    const iteratedGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-openai',
          name: '@x/provider-openai stream() (chunks iterated)',
          call: () => joined(streamed.stream({ model: MODEL, messages })),
        },
        raw: {
          name: 'raw undici Pool.request (stream: true, body iterated, each SSE event parsed as it arrives)',
          call: () => rawSseIterated(streamCall),
        },
        peer: {
          library: 'openai',
          name: 'openai (official client) chat.completions.create({ stream: true }) (chunks iterated)',
          call: officialStreamed,
        },
        targets: () => [],
        setup: 'OpenAI /v1/chat/completions stream() iterated',
        description: (c) =>
          describe(c, 'the answer streamed as SSE and iterated chunk by chunk by everyone'),
      },
      ctx.profile,
    );
    const wholeGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-openai',
          name: "@x/provider-openai complete() (completeAs: 'whole')",
          call: () => whole.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (no stream, JSON parsed)',
          call: () => rawWhole(wholeCall),
        },
        peer: {
          library: 'openai',
          name: 'openai (official client) chat.completions.create()',
          call: () => official.chat.completions.create({ model: MODEL, messages }),
        },
        targets,
        maxP50OverheadUs: 30,
        setup: 'OpenAI /v1/chat/completions whole',
        description: (c) => describe(c, 'one JSON answer (no `stream`) for everyone'),
      },
      ctx.profile,
    );
    return {
      groups: [...streamedGroups, ...iteratedGroups, ...wholeGroups],
      notes: [
        'The simulator answers at once, in a child process of its own: what is measured is the client (validation, pipeline, HTTP, parsing).',
        "Two setups, each like for like: `streamed` is complete()'s default (SSE, the answer read whole), against raw undici and the official client reading the same stream; `whole` is `completeAs: 'whole'` (one JSON answer), against the same request made raw and with the official client.",
        "Every call sends the same two messages, as the raw request sends the same body: after the first call the provider's exact prompt count reads each message from @x/tokens' memo of message texts, as it does for a chat's resent system prompt and history.",
      ],
      async close() {
        await streamed.close();
        await whole.close();
        await pool.close();
        await sim.close();
      },
    };
  },
};
