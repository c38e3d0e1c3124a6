import { createOllamaProvider } from '@x/provider-ollama';
import { Ollama } from 'ollama';
import { noFaults } from '../cli';
import type { Scenario } from '../context';
import { runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { histogramSvg } from '../report/svg';
import { chatMessages, MODEL, startBenchSim, unlimitedRate } from '../servers/sim';
import { describeMix, faultRules, loadMetrics, outcomeText } from './common';

export const steadyScenario: Scenario = {
  name: 'steady',
  title: 'Steady load',
  packages: ['@x/provider-ollama', '@x/ollama-sim'],
  async run(ctx) {
    const { cli, profile } = ctx;
    const concurrency = cli.concurrency ?? 16;
    const requests = cli.durationMs ? undefined : (cli.requests ?? scaled(profile, 3000, 40));
    const durationMs = cli.durationMs;
    const mix = cli.faults ?? { ...noFaults, errorRate: 0.01, latencyMs: 2, jitterMs: 10 };
    const seed = cli.seed;
    const sim = await startBenchSim({ seed, numParallel: 64 });
    try {
      // `completeAs: 'whole'`: `stream: false`, as ollama-js is called below (complete()'s default
      // streams NDJSON and reads it whole, a different request)
      const provider = createOllamaProvider({
        baseUrl: sim.url,
        cache: false,
        rateLimit: unlimitedRate,
        completeAs: 'whole',
      });
      await provider.initialize();
      const ollama = new Ollama({ host: sim.url });
      // Both clients warmed alike before either is measured (no faults yet), so the one measured
      // first does not pay for the cold simulator and cold shared code alone.
      const warm = Math.min(200, scaled(profile, 200, 20));
      for (let i = 0; i < warm; i++) {
        await provider.complete({ model: MODEL, messages: chatMessages(i) });
        await ollama.chat({ model: MODEL, messages: chatMessages(i), stream: false });
      }
      sim.setFaults({ rules: faultRules(mix), seed });
      const ours = await runLoad({
        concurrency,
        ...(requests !== undefined ? { requests } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        label: 'steady x',
        progress: ctx.progress,
        request: (i) => provider.complete({ model: MODEL, messages: chatMessages(i) }),
      });
      const stats = provider.stats();
      await provider.close();

      // the same load, same fault draws, through the official client
      sim.setFaults({ rules: faultRules(mix), seed });
      const theirs = await runLoad({
        concurrency,
        ...(requests !== undefined ? { requests } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        label: 'steady ollama',
        progress: ctx.progress,
        request: (i) => ollama.chat({ model: MODEL, messages: chatMessages(i), stream: false }),
      });

      const chart = ctx.chart(
        'latency-distribution.svg',
        'Latency distribution under steady load',
        histogramSvg(
          [
            {
              label: '@x/provider-ollama',
              values: ours.records.filter((r) => r.outcome === 'ok').map((r) => r.ms),
            },
            {
              label: 'ollama-js',
              values: theirs.records.filter((r) => r.outcome === 'ok').map((r) => r.ms),
            },
          ],
          {
            title: 'Latency distribution under steady load',
            subtitle: `${concurrency} concurrent clients, ${ours.started} requests each client library, ${describeMix(mix)}`,
          },
        ),
      );
      return {
        description:
          "A closed loop of concurrent clients sending non-streaming chat requests (the provider with `completeAs: 'whole'`, ollama-js with `stream: false`) to the simulator, which adds the fault mix. The same load, with the same seeded fault draws, then runs through ollama-js. Both clients make the same warm-up requests first.",
        params: {
          concurrency,
          ...(requests !== undefined ? { requests } : { durationMs }),
          faults: describeMix(mix),
          seed,
        },
        metrics: {
          ...loadMetrics(ours),
          'retries (provider)': stats.retries,
          'outcomes (provider)': outcomeText(ours.outcomes),
          'ollama-js throughput': `${theirs.throughput.toFixed(0)} req/s`,
          'ollama-js latency p50 / p99': `${theirs.latency.p50.toFixed(2)} / ${theirs.latency.p99.toFixed(2)} ms`,
          'ollama-js error rate': `${(theirs.errorRate * 100).toFixed(2)}%`,
        },
        tables: [],
        charts: [chart],
        notes: [
          'The provider retries a 503 (server busy) with backoff, so injected errors mostly turn into latency; ollama-js has no retries, so they surface as errors.',
        ],
        latency: ours.latency,
      };
    } finally {
      await sim.close();
    }
  },
};
