import { breakerPresets } from '@x/breaker';
import type { OllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createRouter } from '@x/router';
import type { BenchContext, Scenario } from '../context';
import { type LoadResult, runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { type StateSpan, timelineSvg } from '../report/svg';
import { chatMessages, MODEL, startBenchSim, unlimitedRate } from '../servers/sim';
import { summarize } from '../stats';
import { formatMs, formatPct } from '../terminal/table';
import { bucketOutcomes } from './outage';
import { measurePropagation } from './router-propagation';

/** The availability the router must keep while one of its two deployments is down. */
export const TARGET = 0.999;

interface Phase {
  name: string;
  from: number;
  to: number;
}

/** Success rate and latency of the records that started within a phase. */
export function phaseFigures(records: LoadResult['records'], phase: Phase) {
  const inside = records.filter((r) => r.t >= phase.from && r.t < phase.to);
  const ok = inside.filter((r) => r.outcome === 'ok');
  const latency = summarize(ok.map((r) => r.ms));
  return {
    requests: inside.length,
    success: inside.length ? ok.length / inside.length : 1,
    latency,
  };
}

/** The state spans of the chart's band from samples of a state taken over the run. */
export function sampledSpans(
  samples: { t: number; state: string }[],
  durationMs: number,
): StateSpan[] {
  const spans: StateSpan[] = [];
  let current: StateSpan | undefined;
  for (const s of samples) {
    if (current !== undefined && current.state === s.state) continue;
    if (current !== undefined) {
      current.to = s.t;
      spans.push(current);
    }
    current = { from: s.t, to: durationMs, state: s.state };
  }
  if (current !== undefined) {
    current.to = Math.max(current.from, durationMs);
    spans.push(current);
  }
  return spans;
}

/** How the router sees deployment `a` now: in rotation, or passed over and why. */
function viewOf(stats: { status: string; breaker: string | undefined }): string {
  if (stats.status === 'cooling') return 'cooling down';
  if (stats.breaker === 'open') return 'breaker open';
  if (stats.status !== 'healthy' || stats.breaker === 'half-open') return 'probing';
  return 'in rotation';
}

/**
 * Stops the server of deployment `a` for the middle third of the run and starts it again: every
 * connection is refused meanwhile, a hard failure.
 */
function scheduleOutage(sim: OllamaSim, outage: Phase): () => void {
  const timers = [
    setTimeout(() => void sim.stop(), outage.from),
    setTimeout(() => void sim.restart(), outage.to),
  ];
  return () => {
    for (const t of timers) clearTimeout(t);
  };
}

async function twoSims(): Promise<[OllamaSim, OllamaSim]> {
  const sims = await Promise.all([
    startBenchSim({ numParallel: 64 }),
    startBenchSim({ numParallel: 64 }),
  ]);
  for (const sim of sims) {
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'latency', ms: { min: 2, max: 6 } } }]);
  }
  return sims;
}

export const routerScenario: Scenario = {
  name: 'router',
  title: 'Availability: the router against a single provider while one deployment is down',
  packages: ['@x/router', '@x/provider-ollama', '@x/ollama-sim'],
  async run(ctx: BenchContext) {
    const durationMs = ctx.cli.durationMs ?? scaled(ctx.profile, 9_000, 1_500);
    const concurrency = ctx.cli.concurrency ?? 8;
    const thinkMs = 10;
    const outage: Phase = {
      name: 'during the outage',
      from: Math.round(durationMs / 3),
      to: Math.round((2 * durationMs) / 3),
    };
    const phases: Phase[] = [
      { name: 'before', from: 0, to: outage.from },
      outage,
      { name: 'after', from: outage.to, to: Number.POSITIVE_INFINITY },
    ];
    // Breaker and cooldown periods scale with the run, so recovery shows within it.
    const openTimeoutMs = Math.max(100, Math.round(durationMs / 12));
    const providerOptions = (baseUrl: string) => ({
      baseUrl,
      cache: false as const,
      rateLimit: unlimitedRate,
      breaker: { ...breakerPresets.ollama, openTimeoutMs, maxOpenTimeoutMs: openTimeoutMs * 2 },
    });
    const bucketMs = [25, 50, 100, 200, 250, 500, 1000].find((b) => b >= durationMs / 60) ?? 1000;

    // 1. One provider on deployment `a` alone.
    let [simA, simB] = await twoSims();
    const single = createOllamaProvider(providerOptions(simA.url));
    let alone: LoadResult;
    try {
      await single.initialize();
      const cancel = scheduleOutage(simA, outage);
      alone = await runLoad({
        concurrency,
        durationMs,
        thinkMs,
        label: 'router: single provider',
        progress: ctx.progress,
        request: (i) => single.complete({ model: MODEL, messages: chatMessages(i) }),
      });
      cancel();
    } finally {
      await single.close();
      await Promise.all([simA.close(), simB.close()]);
    }

    // 2. The router over `a` and `b`, same load, same outage.
    [simA, simB] = await twoSims();
    const a = createOllamaProvider(providerOptions(simA.url));
    const b = createOllamaProvider(providerOptions(simB.url));
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: MODEL },
        { id: 'b', group: 'chat', provider: b, model: MODEL },
      ],
      cooldown: { failures: 3, windowMs: 10_000, durationMs: openTimeoutMs },
      closeProviders: true,
    });
    let t0 = performance.now();
    /** Which deployment served each request, by start time (the load engine keeps ok/failed). */
    const routes: { t: number; outcome: string }[] = [];
    let routed: LoadResult;
    let breakerOpenings = 0;
    try {
      await Promise.all([a.initialize(), b.initialize()]);
      const cancel = scheduleOutage(simA, outage);
      t0 = performance.now();
      routed = await runLoad({
        concurrency,
        durationMs,
        thinkMs,
        label: 'router: two deployments',
        progress: ctx.progress,
        sample: () => ({ a: viewOf(router.stats().deployments.a!) }),
        sampleEveryMs: Math.max(5, bucketMs / 4),
        request: async (i) => {
          const t = performance.now() - t0;
          try {
            const { route } = await router.complete({ model: 'chat', messages: chatMessages(i) });
            const via = route.attempts.length > 0 ? ' after a fallback' : '';
            routes.push({ t, outcome: `served by ${route.deployment}${via}` });
          } catch (error) {
            routes.push({ t, outcome: 'failed' });
            throw error;
          }
        },
      });
      cancel();
      breakerOpenings = a.breaker?.stats().opened ?? 0;
    } finally {
      await router.close();
      await Promise.all([simA.close(), simB.close()]);
    }
    const stats = router.stats();

    const figures = phases.map((p) => ({
      phase: p,
      single: phaseFigures(alone.records, p),
      router: phaseFigures(routed.records, p),
    }));
    const during = figures[1]!;
    const before = figures[0]!;
    const whole = { name: 'whole run', from: 0, to: Number.POSITIVE_INFINITY };
    const routerWhole = phaseFigures(routed.records, whole);
    const singleWhole = phaseFigures(alone.records, whole);
    const met = during.router.success >= TARGET;
    const propagation = await measurePropagation(ctx);

    const chart = ctx.chart(
      'router-availability.svg',
      'Router availability while one deployment is down',
      timelineSvg(
        sampledSpans(
          routed.series.map((p) => ({ t: p.t, state: String(p.a) })),
          routed.elapsedMs,
        ),
        bucketOutcomes(routes, routed.elapsedMs, bucketMs, (o) => o),
        {
          title: 'Router: two deployments, one down for a third of the run',
          subtitle: `${concurrency} clients; deployment a refuses connections from ${(outage.from / 1000).toFixed(1)} s to ${(outage.to / 1000).toFixed(1)} s; band: the router's view of a`,
          durationMs: routed.elapsedMs,
          bucketMs,
          outcomeColours: {
            'served by a': '#60a5fa',
            'served by b': '#a78bfa',
            'served by b after a fallback': '#f59e0b',
            failed: '#ef4444',
          },
          stateColours: {
            'in rotation': '#16a34a',
            probing: '#d97706',
            'breaker open': '#dc2626',
            'cooling down': '#7f1d1d',
          },
          shaded: [{ from: outage.from, to: outage.to, label: 'a is down' }],
        },
      ),
    );
    const pct = (x: number) => formatPct(x, 2);
    /** A latency figure, or a dash when no request of the phase succeeded. */
    const lat = (l: { count: number }, v: number) => (l.count > 0 ? formatMs(v) : '—');
    return {
      description:
        'Two deployments of one model (two simulators, an @x/provider-ollama provider on each). The server of deployment a refuses every connection for the middle third of the run. The same closed-loop load (each client pausing 10 ms between requests) runs first against a single provider on a, then against a router over a and b (weighted-random, equal weights). The router passes a over once its breaker opens or it cools down, and lets one probe through per cooldown until a answers again.',
      params: {
        concurrency,
        thinkMs,
        durationMs,
        outage: `${outage.from}-${outage.to} ms`,
        'breaker open timeout and cooldown': `${openTimeoutMs} ms`,
        strategy: 'weighted-random',
      },
      metrics: {
        [`success rate while a is down, router (target ≥ ${pct(TARGET)})`]: `${pct(during.router.success)} ${met ? '✓' : '✗ missed'} (${during.router.requests} requests)`,
        'success rate while a is down, single provider': `${pct(during.single.success)} (${during.single.requests} requests)`,
        'success rate over the whole run: router / single provider': `${pct(routerWhole.success)} / ${pct(singleWhole.success)}`,
        'latency p50 / p95 before the outage: router / single provider': `${formatMs(before.router.latency.p50)} / ${formatMs(before.router.latency.p95)} vs ${formatMs(before.single.latency.p50)} / ${formatMs(before.single.latency.p95)}`,
        'latency p50 / p95 / max while a is down, router': `${formatMs(during.router.latency.p50)} / ${formatMs(during.router.latency.p95)} / ${formatMs(during.router.latency.max)}`,
        'calls that fell back (a failed, b answered)': stats.fallbacks,
        'a passed over: breaker openings / router cooldowns / probes that brought it back': `${breakerOpenings} / ${stats.cooldowns.local} / ${stats.recoveries.probe}`,
        'calls a was passed over without a call': stats.deployments.a!.skipped,
        'requests in total: router / single provider': `${routed.started} (${routed.ok} answered) / ${alone.started} (${alone.ok} answered)`,
        ...propagation.metrics,
      },
      tables: [
        {
          title: 'By phase',
          columns: [
            'phase',
            'single: success',
            'single: p50',
            'router: success',
            'router: p50',
            'router: p95',
            'router: requests',
          ],
          rows: figures.map((f) => [
            f.phase.name,
            pct(f.single.success),
            lat(f.single.latency, f.single.latency.p50),
            pct(f.router.success),
            lat(f.router.latency, f.router.latency.p50),
            lat(f.router.latency, f.router.latency.p95),
            f.router.requests,
          ]),
        },
      ],
      charts: [chart],
      notes: [
        "A call routed to a while it is down pays a's failure (its provider retries a refused connection, with backoff) before b answers: that is the router's added latency, and it stops once a's breaker opens or the router cools a down. After the outage, one probe per cooldown brings a back.",
        ...propagation.notes,
      ],
      latency: routed.latency,
    };
  },
};
