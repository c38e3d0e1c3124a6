import { createOllamaProvider } from '@x/provider-ollama';
import { Ollama } from 'ollama';
import { Pool } from 'undici';
import type { Suite } from '../context';
import { chatMessages, MODEL, startSimProcess, unlimitedRate } from '../servers/sim';
import { clientGroups } from './provider-common';

export const providerSuite: Suite = {
  name: 'provider-ollama',
  title: '@x/provider-ollama: complete() through the whole pipeline',
  packages: ['@x/provider-ollama', '@x/ollama-sim'],
  async prepare(ctx) {
    const sim = await startSimProcess();
    const provider = createOllamaProvider({
      baseUrl: sim.url,
      cache: false,
      rateLimit: unlimitedRate,
    });
    await provider.initialize();
    const raw = new Pool(sim.url, { connections: 16 });
    const ollama = new Ollama({ host: sim.url });
    const messages = chatMessages(1);
    const body = JSON.stringify({ model: MODEL, messages, stream: false });
    const groups = await clientGroups(
      {
        ours: {
          library: '@x/provider-ollama',
          name: '@x/provider-ollama complete()',
          call: () => provider.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (same body, JSON parsed)',
          call: async () => {
            const res = await raw.request({
              path: '/api/chat',
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            });
            if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
            return res.body.json();
          },
        },
        peer: {
          library: 'ollama-js',
          name: 'ollama-js chat()',
          call: () => ollama.chat({ model: MODEL, messages, stream: false }),
        },
        // issue 17 (providers): ≥ 0.9x raw undici, p50 overhead < 30 µs; issue 1: ≥ 1.5x ollama-js
        targets: [
          { vs: 'raw undici', min: 0.9 },
          { vs: 'ollama-js', min: 1.5 },
        ],
        maxP50OverheadUs: 30,
        setup: 'Ollama /api/chat',
        description: (c) =>
          `${c} concurrent caller${c > 1 ? 's' : ''}, non-streaming /api/chat against @x/ollama-sim (its own process, answering at once with 16 tokens); the provider with pool, breaker, retries, token estimate and a rate limiter it never reaches, cache off`,
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
