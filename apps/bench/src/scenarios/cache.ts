import { createCache } from '@x/cache';
import { createRandom } from '@x/internal';
import { createOllamaProvider } from '@x/provider-ollama';
import type { Scenario } from '../context';
import { runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { histogramSvg } from '../report/svg';
import { MODEL, startBenchSim, unlimitedRate } from '../servers/sim';
import { summarize } from '../stats';
import { formatMs, formatPct } from '../terminal/table';
import { describeMix, faultRules } from './common';

/**
 * Draws prompt indices with a Zipf distribution (exponent `s`): a few prompts are asked very
 * often, most rarely, as in a support bot or a retrieval pipeline.
 */
export function zipf(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const x = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const topics = [
  'refund',
  'password reset',
  'invoice',
  'shipping delay',
  'API key',
  'rate limit',
  'outage',
  'upgrade',
];

function prompt(i: number): string {
  return `Customer question #${i}: how do I handle a ${topics[i % topics.length]} case for account tier ${i % 5}?`;
}

export const cacheScenario: Scenario = {
  name: 'cache-hits',
  title: 'Cache effectiveness',
  packages: ['@x/provider-ollama', '@x/cache', '@x/ollama-sim'],
  async run(ctx) {
    const requests = ctx.cli.requests ?? scaled(ctx.profile, 4000, 60);
    const distinct = Math.max(20, Math.round(requests / 10));
    const concurrency = ctx.cli.concurrency ?? 8;
    const sim = await startBenchSim({
      numParallel: 8,
      tokensPerSecond: 800,
      responseTokens: { min: 24, max: 48 },
      seed: ctx.cli.seed,
    });
    if (ctx.cli.faults) sim.setFaults({ rules: faultRules(ctx.cli.faults), seed: ctx.cli.seed });
    const cache = createCache({ maxEntries: 1000, strategy: 'selective' });
    const provider = createOllamaProvider({ baseUrl: sim.url, cache, rateLimit: unlimitedRate });
    try {
      await provider.initialize();
      const next = zipf(distinct, 1.1, createRandom(ctx.cli.seed));
      const hits: number[] = [];
      const misses: number[] = [];
      const result = await runLoad({
        concurrency,
        requests,
        label: 'cache',
        progress: ctx.progress,
        request: async () => {
          const t = performance.now();
          const res = await provider.complete({
            model: MODEL,
            messages: [{ role: 'user', content: prompt(next()) }],
            temperature: 0,
          });
          (res.cached ? hits : misses).push(performance.now() - t);
        },
      });
      const stats = cache.stats();
      const h = summarize(hits);
      const m = summarize(misses);
      const served = sim.stats().byRoute['/api/chat'] ?? 0;
      const chart = ctx.chart(
        'cache-latency.svg',
        'Latency of cache hits and misses',
        histogramSvg(
          [
            { label: `hits (${hits.length})`, values: hits },
            { label: `misses (${misses.length})`, values: misses },
          ],
          {
            title: 'Latency of cache hits and misses',
            subtitle: `${requests} requests over ${distinct} distinct prompts (Zipf 1.1), ${concurrency} clients, temperature 0`,
          },
        ),
      );
      return {
        description: `Requests repeat prompts the way real traffic does: ${distinct} distinct questions drawn with a Zipf distribution (a few very often, most rarely), at temperature 0 so every answer is cacheable under the default 'selective' strategy. A miss waits for the simulated generation (800 tokens/s); a hit is served from memory.`,
        params: {
          requests,
          distinct,
          concurrency,
          strategy: 'selective',
          zipf: 1.1,
          ...(ctx.cli.faults ? { faults: describeMix(ctx.cli.faults) } : {}),
        },
        metrics: {
          'hit rate (responses marked cached)': formatPct(hits.length / Math.max(1, result.ok)),
          'hit rate (cache stats)': formatPct(stats.hitRate),
          'p50 latency, hit / miss': `${formatMs(h.p50)} / ${formatMs(m.p50)}`,
          'p99 latency, hit / miss': `${formatMs(h.p99)} / ${formatMs(m.p99)}`,
          'speed-up of a hit (p50)': `${(m.p50 / Math.max(1e-6, h.p50)).toFixed(0)}x`,
          'requests that reached the server': `${served} of ${result.started}`,
          'concurrent misses coalesced (single-flight)': stats.coalesced,
          'entries / bytes stored': `${stats.entries} / ${stats.bytes}`,
          'error rate': formatPct(result.errorRate, 2),
        },
        tables: [],
        charts: [chart],
        notes: [
          'A request that arrives while an identical one is in flight joins it (single-flight) and is answered as a hit when it lands, so the slowest hits wait about as long as a miss.',
        ],
        latency: result.latency,
      };
    } finally {
      await provider.close();
      await sim.close();
    }
  },
};
