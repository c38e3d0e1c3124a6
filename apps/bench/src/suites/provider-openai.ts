import { createOpenAIProvider } from '@x/provider-openai';
import OpenAI from 'openai';
import { Pool } from 'undici';
import type { Suite } from '../context';
import { startSimProcess } from '../servers/sim';
import { clientGroups } from './provider-common';

/** An OpenAI model: the provider counts its prompt exactly (js-tiktoken's o200k_base). */
const MODEL = 'gpt-4o-mini';
const KEY = 'sk-bench-0123456789';

export const providerOpenAISuite: Suite = {
  name: 'provider-openai',
  title: '@x/provider-openai: complete() through the whole pipeline',
  packages: ['@x/provider-openai', '@x/ollama-sim'],
  async prepare(ctx) {
    const sim = await startSimProcess({ models: [{ name: MODEL }] });
    const baseUrl = `${sim.url}/v1`;
    const provider = createOpenAIProvider({
      baseUrl,
      apiKey: KEY,
      cache: false,
      // on, but never the bottleneck: its cost is measured, not its waiting
      rateLimit: { requestsPerSecond: 1e9 },
    });
    const raw = new Pool(sim.url, { connections: 16 });
    const official = new OpenAI({ apiKey: KEY, baseURL: baseUrl });
    const messages = [
      { role: 'system' as const, content: 'You are a concise assistant.' },
      { role: 'user' as const, content: 'Say hello to user number 1.' },
    ];
    const body = JSON.stringify({ model: MODEL, messages });
    const groups = await clientGroups(
      {
        ours: {
          library: '@x/provider-openai',
          name: '@x/provider-openai complete()',
          call: () => provider.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (same body, JSON parsed)',
          call: async () => {
            const res = await raw.request({
              path: '/v1/chat/completions',
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
              body,
            });
            const parsed = (await res.body.json()) as { choices?: unknown[] };
            if (res.statusCode !== 200 || !Array.isArray(parsed.choices)) {
              throw new Error(`HTTP ${res.statusCode}`);
            }
            return parsed;
          },
        },
        peer: {
          library: 'openai',
          name: 'openai (official client) chat.completions.create()',
          call: () => official.chat.completions.create({ model: MODEL, messages }),
        },
        // issue 15: ≥ 2x the official client, ≥ 0.8x raw undici; issue 17: p50 overhead < 30 µs
        targets: [
          { vs: 'raw undici', min: 0.8 },
          { vs: 'openai', min: 2 },
        ],
        maxP50OverheadUs: 30,
        setup: 'OpenAI /v1/chat/completions',
        description: (c) =>
          `${c} concurrent caller${c > 1 ? 's' : ''}, non-streaming /v1/chat/completions against @x/ollama-sim's /v1 (its own process, answering at once with 16 tokens); the provider with pool, breaker, retries, exact token count (${MODEL}) and a rate limiter it never reaches, cache off`,
      },
      ctx.profile,
    );
    return {
      groups,
      notes: [
        'The simulator answers at once, in a child process of its own: what is measured is the client (validation, pipeline, HTTP, parsing).',
      ],
      async close() {
        await provider.close();
        await raw.close();
        await sim.close();
      },
    };
  },
};
