import { createOllamaProvider } from '@x/provider-ollama';
import { Ollama } from 'ollama';
import { Pool } from 'undici';
import type { Suite } from '../context';
import type { Target } from '../results';
import { chatMessages, MODEL, startSimProcess, unlimitedRate } from '../servers/sim';
import { clientGroups, joined } from './provider-common';
import { type RawCall, rawNdjson, rawNdjsonIterated, rawWhole } from './raw-undici';

// issue 17: ≥ 0.9x raw undici reading the answer the same way (p50 overhead < 30 µs below);
// issue 1: ≥ 1.5x ollama-js
const targets = (): Target[] => [
  { vs: 'raw undici', min: 0.9 },
  { vs: 'ollama-js', min: 1.5 },
];

const PIPELINE =
  'the provider with pool, breaker, retries, token estimate and a rate limiter it never reaches, cache off';

export const providerSuite: Suite = {
  name: 'provider-ollama',
  title: '@x/provider-ollama: complete() through the whole pipeline',
  packages: ['@x/provider-ollama', '@x/ollama-sim'],
  async prepare(ctx) {
    const sim = await startSimProcess();
    const options = { baseUrl: sim.url, cache: false, rateLimit: unlimitedRate } as const;
    // complete() as users get it: Ollama streams NDJSON, the provider reads it whole.
    const streamed = createOllamaProvider(options);
    // completeAs: 'whole': `stream: false`, one JSON answer.
    const whole = createOllamaProvider({ ...options, completeAs: 'whole' });
    await streamed.initialize();
    await whole.initialize();
    const pool = new Pool(sim.url, { connections: 16 });
    const ollama = new Ollama({ host: sim.url });
    const messages = chatMessages(1);
    const raw = (stream: boolean): RawCall => ({
      pool,
      path: '/api/chat',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages, stream }),
    });
    const streamCall = raw(true);
    // ollama-js streaming as its users read it: parts iterated, content joined (one loop, no
    // wrapper of ours around its iterator).
    const ollamaJsStreamed = async () => {
      let content = '';
      for await (const part of await ollama.chat({ model: MODEL, messages, stream: true })) {
        content += part.message.content;
      }
      return content;
    };
    const wholeCall = raw(false);
    const describe = (c: number, how: string) =>
      `${c} concurrent caller${c > 1 ? 's' : ''}, /api/chat against @x/ollama-sim (its own process, answering at once with 16 tokens), ${how}; ${PIPELINE}`;

    const streamedGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-ollama',
          name: '@x/provider-ollama complete() (streamed, the default)',
          call: () => streamed.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (stream: true, NDJSON lines parsed, content joined)',
          call: () => rawNdjson(streamCall),
        },
        peer: {
          library: 'ollama-js',
          name: 'ollama-js chat({ stream: true }) (parts joined)',
          call: ollamaJsStreamed,
        },
        targets,
        maxP50OverheadUs: 30,
        setup: 'Ollama /api/chat streamed',
        description: (c) => describe(c, 'the answer streamed as NDJSON and read whole by everyone'),
      },
      ctx.profile,
    );
    // stream(), as a chat UI reads it: every chunk handed over as it arrives. No issue sets a
    // target for it; the groups say what streaming costs against the same floor and peer.
    const iteratedGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-ollama',
          name: '@x/provider-ollama stream() (chunks iterated)',
          call: () => joined(streamed.stream({ model: MODEL, messages })),
        },
        raw: {
          name: 'raw undici Pool.request (stream: true, body iterated, each NDJSON line parsed as it arrives)',
          call: () => rawNdjsonIterated(streamCall),
        },
        peer: {
          library: 'ollama-js',
          name: 'ollama-js chat({ stream: true }) (parts iterated)',
          call: ollamaJsStreamed,
        },
        targets: () => [],
        setup: 'Ollama /api/chat stream() iterated',
        description: (c) =>
          describe(c, 'the answer streamed as NDJSON and iterated chunk by chunk by everyone'),
      },
      ctx.profile,
    );
    const wholeGroups = await clientGroups(
      {
        ours: {
          library: '@x/provider-ollama',
          name: "@x/provider-ollama complete() (completeAs: 'whole')",
          call: () => whole.complete({ model: MODEL, messages }),
        },
        raw: {
          name: 'raw undici Pool.request (stream: false, JSON parsed)',
          call: () => rawWhole(wholeCall),
        },
        peer: {
          library: 'ollama-js',
          name: 'ollama-js chat({ stream: false })',
          call: () => ollama.chat({ model: MODEL, messages, stream: false }),
        },
        targets,
        maxP50OverheadUs: 30,
        setup: 'Ollama /api/chat whole',
        description: (c) => describe(c, 'stream: false (one JSON answer) for everyone'),
      },
      ctx.profile,
    );
    return {
      groups: [...streamedGroups, ...iteratedGroups, ...wholeGroups],
      notes: [
        'The simulator answers at once, in a child process of its own: what is measured is the client (validation, pipeline, HTTP, parsing).',
        "Two setups, each like for like: `streamed` is complete()'s default (Ollama streams NDJSON, the answer is read whole), against raw undici and ollama-js reading the same stream; `whole` is `completeAs: 'whole'` (`stream: false`), against the same request made raw and with ollama-js.",
        "Every call sends the same two messages, as the raw request sends the same body: after the first call the provider's token estimate reads each message from @x/tokens' memo of estimated texts, as it does for a chat's resent system prompt and history.",
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
