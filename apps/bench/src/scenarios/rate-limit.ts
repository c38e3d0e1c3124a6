import { createOllamaProvider } from '@x/provider-ollama';
import { createRateLimiter } from '@x/rate-limit';
import type { Scenario } from '../context';
import { runLoad } from '../load/engine';
import { chatMessages, MODEL, startBenchSim } from '../servers/sim';
import { formatPct } from '../terminal/table';

/** The largest number of arrivals inside any window of `windowMs` (arrivals sorted ascending). */
export function maxInWindow(arrivals: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < arrivals.length; hi++) {
    while (arrivals[hi]! - arrivals[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export const rateLimitScenario: Scenario = {
  name: 'rate-compliance',
  title: 'Rate-limit compliance',
  packages: ['@x/provider-ollama', '@x/rate-limit', '@x/ollama-sim'],
  async run(ctx) {
    const rate = 50;
    const burst = 10;
    const seconds = ctx.profile.name === 'full' ? 6 : ctx.profile.name === 'quick' ? 2 : 1;
    const requests = burst + rate * seconds;
    const concurrency = ctx.cli.concurrency ?? 32;
    const sim = await startBenchSim({ numParallel: 64, maxLogEntries: 0 });
    const arrivals: number[] = [];
    const off = sim.onRequest((e) => {
      if (e.path === '/api/chat') arrivals.push(e.time);
    });
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: rate, capacity: burst } },
    });
    const provider = createOllamaProvider({ baseUrl: sim.url, rateLimit: limiter, cache: false });
    try {
      await provider.initialize();
      const result = await runLoad({
        concurrency,
        requests,
        label: 'rate-limit',
        progress: ctx.progress,
        request: (i) => provider.complete({ model: MODEL, messages: chatMessages(i) }),
      });
      arrivals.sort((a, b) => a - b);
      const span = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
      const steady = span > 0 ? (arrivals.length - burst) / span : Number.NaN;
      const rows = [250, 1000].map((w) => {
        const seen = maxInWindow(arrivals, w);
        const allowed = burst + Math.ceil((rate * w) / 1000);
        return [`${w} ms`, seen, allowed, seen <= allowed ? 'yes' : `no (+${seen - allowed})`];
      });
      return {
        description: `${concurrency} clients push ${requests} requests as fast as they can through a provider sharing a limiter of ${rate} requests/s with a burst of ${burst}. The simulator records when each request arrives; compliance means no window ever holds more than the burst plus the rate times the window.`,
        params: { ratePerSecond: rate, burst, requests, concurrency },
        metrics: {
          'configured rate': `${rate} req/s (burst ${burst})`,
          'measured rate after the burst': `${steady.toFixed(1)} req/s (${formatPct(steady / rate)} of the configured rate)`,
          'requests that reached the server': arrivals.length,
          'rate-limit waits (provider stats)': provider.stats().rateLimitWaits,
          'error rate': formatPct(result.errorRate, 2),
        },
        tables: [
          {
            title: 'Arrivals in any window',
            columns: ['window', 'most seen', 'allowed (burst + rate x window)', 'within the limit'],
            rows,
          },
        ],
        charts: [],
        notes: [],
        latency: result.latency,
      };
    } finally {
      off();
      await provider.close();
      await limiter.close();
      await sim.close();
    }
  },
};
