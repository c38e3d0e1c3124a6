import { createOllamaProvider } from '@x/provider-ollama';
import { Ollama } from 'ollama';
import { Pool } from 'undici';
import type { Suite } from '../context';
import type { MicroCase, MicroGroup } from '../micro';
import type { MicroRow } from '../results';
import { chatMessages, MODEL, startSimProcess, unlimitedRate } from '../servers/sim';
import { median } from '../stats';

export const providerSuite: Suite = {
  name: 'provider',
  title: '@x/provider-ollama: the full pipeline',
  packages: ['@x/provider-ollama', '@x/ollama-sim'],
  async prepare(ctx) {
    const sim = await startSimProcess();
    const maxC = Math.max(...ctx.profile.concurrencyLevels);
    const provider = createOllamaProvider({
      baseUrl: sim.url,
      cache: false,
      rateLimit: unlimitedRate,
    });
    await provider.initialize();
    const raw = new Pool(sim.url, { connections: maxC });
    const ollama = new Ollama({ host: sim.url });
    const messages = chatMessages(1);
    const body = JSON.stringify({ model: MODEL, messages, stream: false });

    const rawCall = async () => {
      const res = await raw.request({
        path: '/api/chat',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return res.body.json();
    };

    // p50 overhead: sequential pairs (provider, raw) interleaved, each request timed on its own
    const pairs = ctx.profile.name === 'full' ? 2000 : ctx.profile.name === 'quick' ? 400 : 40;
    const oursMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < pairs; i++) {
      let t = performance.now();
      await provider.complete({ model: MODEL, messages });
      oursMs.push(performance.now() - t);
      t = performance.now();
      await rawCall();
      rawMs.push(performance.now() - t);
    }
    const p50Overhead = (median(oursMs) - median(rawMs)) * 1000;

    const levels = ctx.profile.concurrencyLevels.filter((c) => c <= 16);
    const groups: MicroGroup[] = levels.map((c) => {
      const cases: MicroCase[] = [
        {
          name: '@x/provider-ollama complete()',
          library: '@x/provider-ollama',
          role: 'ours',
          async: true,
          concurrency: c,
          fn: () => provider.complete({ model: MODEL, messages }),
        },
        {
          name: 'raw undici request (same body, JSON parsed)',
          library: 'raw undici',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: rawCall,
        },
        {
          name: 'ollama-js chat()',
          library: 'ollama-js',
          role: 'peer',
          async: true,
          concurrency: c,
          fn: () => ollama.chat({ model: MODEL, messages, stream: false }),
        },
      ];
      return {
        name: `chat, c=${c}`,
        description: `${c} concurrent caller${c > 1 ? 's' : ''}, non-streaming /api/chat against @x/ollama-sim answering at once (16 tokens); provider with pool, breaker, retries, token checks and a rate limiter it never reaches, cache off`,
        targets: [
          { vs: 'raw undici', min: 0.8 },
          { vs: 'ollama-js', min: 1.5 },
        ],
        cases,
        facts:
          c === 1
            ? (rows: MicroRow[]): Record<string, string> => {
                const ours = rows.find((r) => r.role === 'ours');
                const rawRow = rows.find((r) => r.library === 'raw undici');
                if (!ours || !rawRow || !Number.isFinite(ours.nsPerOp)) return {};
                return {
                  'pipeline overhead per request (mean, c=1)': `${((ours.nsPerOp - rawRow.nsPerOp) / 1000).toFixed(1)} µs`,
                  [`pipeline overhead per request (p50 of ${pairs} interleaved pairs)`]: `${p50Overhead.toFixed(1)} µs (target < 50 µs)`,
                };
              }
            : undefined,
      };
    });
    return {
      groups,
      notes: [
        'The simulator answers at once, in a child process of its own; what is measured is the client: validation, pipeline, HTTP and parsing.',
      ],
      async close() {
        await provider.close();
        await raw.close();
        await sim.close();
      },
    };
  },
};
