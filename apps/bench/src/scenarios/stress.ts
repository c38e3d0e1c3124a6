import { createOllamaProvider } from '@x/provider-ollama';
import { Ollama } from 'ollama';
import { noFaults } from '../cli';
import type { Scenario } from '../context';
import { type LoadResult, runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { lineChartSvg } from '../report/svg';
import { chatMessages, MODEL, startBenchSim, unlimitedRate } from '../servers/sim';
import { formatMs, formatPct } from '../terminal/table';
import { describeMix, faultRules, outcomeText } from './common';

const SLOTS = 4;
const TOKENS_PER_SECOND = 2000;
const RESPONSE_TOKENS = 16;
const MAX_QUEUE = 64;

/**
 * The saturation point: the first step after which the next step adds less than 15% throughput.
 * Past it, more callers only queue (latency grows) and then fail.
 */
export function saturationLevel(
  steps: { concurrency: number; throughput: number }[],
): number | undefined {
  for (let i = 0; i + 1 < steps.length; i++) {
    if (steps[i + 1]!.throughput < steps[i]!.throughput * 1.15) return steps[i]!.concurrency;
  }
  return undefined;
}

export const stressScenario: Scenario = {
  name: 'stress',
  title: 'Stress ramp to saturation',
  packages: ['@x/provider-ollama', '@x/ollama-sim'],
  async run(ctx) {
    const levels = ctx.profile.stressLevels;
    const stepMs = ctx.cli.durationMs ?? scaled(ctx.profile, 3000, 150);
    const sim = await startBenchSim({
      numParallel: SLOTS,
      maxQueue: MAX_QUEUE,
      tokensPerSecond: TOKENS_PER_SECOND,
      responseTokens: { min: RESPONSE_TOKENS, max: RESPONSE_TOKENS },
      seed: ctx.cli.seed,
    });
    if (ctx.cli.faults) sim.setFaults({ rules: faultRules(ctx.cli.faults), seed: ctx.cli.seed });
    const capacity = (SLOTS * TOKENS_PER_SECOND) / RESPONSE_TOKENS;
    try {
      // `completeAs: 'whole'` (`stream: false`), the request ollama-js makes below
      const provider = createOllamaProvider({
        baseUrl: sim.url,
        cache: false,
        rateLimit: unlimitedRate,
        completeAs: 'whole',
      });
      await provider.initialize();
      const ollama = new Ollama({ host: sim.url });
      const ours: LoadResult[] = [];
      const theirs: LoadResult[] = [];
      for (const [step, c] of levels.entries()) {
        const runOurs = async () =>
          ours.push(
            await runLoad({
              concurrency: c,
              durationMs: stepMs,
              label: `stress x c=${c}`,
              progress: ctx.progress,
              request: (i) => provider.complete({ model: MODEL, messages: chatMessages(i) }),
            }),
          );
        const runTheirs = async () =>
          theirs.push(
            await runLoad({
              concurrency: c,
              durationMs: stepMs,
              label: `stress ollama c=${c}`,
              progress: ctx.progress,
              request: (i) =>
                ollama.chat({ model: MODEL, messages: chatMessages(i), stream: false }),
            }),
          );
        // who goes first alternates step by step: neither always meets the queue the other left
        if (step % 2 === 0) {
          await runOurs();
          await runTheirs();
        } else {
          await runTheirs();
          await runOurs();
        }
      }
      await provider.close();
      const steps = levels.map((c, i) => ({ concurrency: c, throughput: ours[i]!.throughput }));
      const knee = saturationLevel(steps);
      const chart = ctx.chart(
        'throughput-concurrency.svg',
        'Throughput against concurrency',
        lineChartSvg(
          [
            {
              label: '@x/provider-ollama',
              points: ours.map((r) => ({ x: r.concurrency, y: r.throughput })),
            },
            {
              label: 'ollama-js',
              points: theirs.map((r) => ({ x: r.concurrency, y: r.throughput })),
            },
            { label: 'server capacity', points: levels.map((c) => ({ x: c, y: capacity })) },
          ],
          {
            title: 'Throughput against concurrency',
            subtitle: `@x/ollama-sim with ${SLOTS} slots, queue ${MAX_QUEUE}, ${TOKENS_PER_SECOND} tokens/s, ${RESPONSE_TOKENS}-token answers; ${stepMs} ms per step`,
            xLabel: 'concurrent clients (log scale)',
            yLabel: 'successful requests per second',
            logX: true,
            ...(knee !== undefined ? { marker: { x: knee, label: `saturation at ${knee}` } } : {}),
          },
        ),
      );
      return {
        description: `Concurrency doubles step by step against a simulator that can serve ${capacity.toFixed(0)} requests/s (${SLOTS} parallel slots, a queue of ${MAX_QUEUE}, beyond which it answers 503 like Ollama). The saturation point is the first step after which doubling the callers adds less than 15% throughput; past it, more callers only add latency, then errors. Both clients send \`stream: false\` (the provider with \`completeAs: 'whole'\`) and take turns going first from step to step. The provider's pool caps sockets per host (20 by default), so its surplus callers wait client-side instead of overflowing the server's queue.`,
        params: {
          levels: levels.join(', '),
          stepMs,
          slots: SLOTS,
          maxQueue: MAX_QUEUE,
          faults: describeMix(ctx.cli.faults ?? noFaults),
        },
        metrics: {
          'saturation point': knee !== undefined ? `${knee} concurrent clients` : 'not reached',
          'peak throughput (provider)': `${Math.max(...ours.map((r) => r.throughput)).toFixed(0)} req/s`,
          'peak throughput (ollama-js)': `${Math.max(...theirs.map((r) => r.throughput)).toFixed(0)} req/s`,
          'server capacity': `${capacity.toFixed(0)} req/s`,
        },
        tables: [
          {
            title: 'Steps',
            columns: [
              'clients',
              'provider req/s',
              'provider p50',
              'provider p99',
              'provider errors',
              'provider outcomes',
              'ollama-js req/s',
              'ollama-js p99',
              'ollama-js errors',
            ],
            rows: levels.map((c, i) => {
              const o = ours[i]!;
              const t = theirs[i]!;
              return [
                c,
                o.throughput.toFixed(0),
                formatMs(o.latency.p50),
                formatMs(o.latency.p99),
                formatPct(o.errorRate),
                outcomeText(o.outcomes),
                t.throughput.toFixed(0),
                formatMs(t.latency.p99),
                formatPct(t.errorRate),
              ];
            }),
          },
        ],
        charts: [chart],
        notes: [],
      };
    } finally {
      await sim.close();
    }
  },
};
