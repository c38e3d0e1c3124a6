import { type BreakerState, createBreaker } from '@x/breaker';
import { createOllamaProvider } from '@x/provider-ollama';
import type { Scenario } from '../context';
import { runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { type OutcomeBucket, type StateSpan, timelineSvg } from '../report/svg';
import { chatMessages, MODEL, startBenchSim, unlimitedRate } from '../servers/sim';
import { formatMs } from '../terminal/table';

interface Transition {
  t: number;
  from: BreakerState;
  to: BreakerState;
  reason: string;
}

/** Builds the state spans of the timeline from the transitions, closed at the start. */
export function stateSpans(transitions: Transition[], durationMs: number): StateSpan[] {
  const spans: StateSpan[] = [];
  let state: string = 'closed';
  let from = 0;
  for (const tr of transitions) {
    if (tr.t > from) spans.push({ from, to: tr.t, state });
    state = tr.to;
    from = tr.t;
  }
  if (durationMs > from) spans.push({ from, to: durationMs, state });
  return spans;
}

/** Counts outcomes per time bucket. */
export function bucketOutcomes(
  records: { t: number; outcome: string }[],
  durationMs: number,
  bucketMs: number,
  label: (outcome: string) => string,
): OutcomeBucket[] {
  const n = Math.max(1, Math.ceil(durationMs / bucketMs));
  const buckets: OutcomeBucket[] = Array.from({ length: n }, (_, i) => ({
    t: i * bucketMs,
    counts: {},
  }));
  for (const r of records) {
    const b = buckets[Math.min(n - 1, Math.floor(r.t / bucketMs))]!;
    const k = label(r.outcome);
    b.counts[k] = (b.counts[k] ?? 0) + 1;
  }
  return buckets;
}

export const outageScenario: Scenario = {
  name: 'outage',
  title: 'Outage: the breaker opens, rejects, probes and closes',
  packages: ['@x/provider-ollama', '@x/breaker', '@x/ollama-sim'],
  async run(ctx) {
    const durationMs = ctx.cli.durationMs ?? scaled(ctx.profile, 10_000, 1500);
    const openTimeoutMs = Math.max(200, Math.round(durationMs / 10));
    const outageFrom = Math.round(durationMs * 0.2);
    const outageTo = Math.round(durationMs * 0.55);
    const concurrency = ctx.cli.concurrency ?? 8;
    // about 60 bars, each a round number of milliseconds
    const bucketMs = [25, 50, 100, 200, 250, 500, 1000].find((b) => b >= durationMs / 60) ?? 1000;
    // each client pauses between requests, as traffic from real users does
    const thinkMs = 10;
    const sim = await startBenchSim({ numParallel: 64 });
    const baseline = [
      { route: '/api/chat', fault: { kind: 'latency' as const, ms: { min: 2, max: 6 } } },
    ];
    sim.setFaults(baseline);
    const breaker = createBreaker({
      name: 'bench-outage',
      failureThreshold: 5,
      successThreshold: 2,
      openTimeoutMs,
      halfOpenMaxProbes: 1,
      maxOpenTimeoutMs: openTimeoutMs * 2,
    });
    const transitions: Transition[] = [];
    let t0 = performance.now();
    const off = breaker.onStateChange((e) =>
      transitions.push({ t: performance.now() - t0, from: e.from, to: e.to, reason: e.reason }),
    );
    const provider = createOllamaProvider({
      baseUrl: sim.url,
      breaker,
      cache: false,
      rateLimit: unlimitedRate,
    });
    try {
      await provider.initialize();
      const timers: ReturnType<typeof setTimeout>[] = [];
      t0 = performance.now();
      timers.push(
        setTimeout(
          () =>
            sim.setFaults([
              ...baseline,
              { route: '/api/chat', fault: { kind: 'status', status: 500 } },
            ]),
          outageFrom,
        ),
        setTimeout(() => sim.setFaults(baseline), outageTo),
      );
      const result = await runLoad({
        concurrency,
        durationMs,
        label: 'outage',
        progress: ctx.progress,
        thinkMs,
        request: (i) => provider.complete({ model: MODEL, messages: chatMessages(i) }),
      });
      for (const t of timers) clearTimeout(t);
      const stats = provider.stats();

      const label = (o: string) =>
        o === 'ok' ? 'passed' : o === 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN' ? 'rejected' : 'failed';
      const during = result.records.filter((r) => r.t >= outageFrom && r.t < outageTo);
      const count = (rs: typeof during, l: string) =>
        rs.filter((r) => label(r.outcome) === l).length;
      const opened = transitions.find((x) => x.to === 'open' && x.t >= outageFrom);
      const closedAfter = transitions.find((x) => x.to === 'closed' && x.t >= outageTo);
      const firstOk = result.records.find((r) => r.t >= outageTo && r.outcome === 'ok');
      const rejectedMs = result.records
        .filter((r) => r.outcome === 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN')
        .map((r) => r.ms);
      const failedMs = result.records.filter((r) => label(r.outcome) === 'failed').map((r) => r.ms);
      const avg = (xs: number[]) =>
        xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;

      const chart = ctx.chart(
        'breaker-timeline.svg',
        'Breaker state during an outage',
        timelineSvg(
          stateSpans(transitions, result.elapsedMs),
          bucketOutcomes(result.records, result.elapsedMs, bucketMs, label),
          {
            title: 'Breaker state during an outage',
            subtitle: `${concurrency} clients; every /api/chat answers 500 from ${(outageFrom / 1000).toFixed(1)} s to ${(outageTo / 1000).toFixed(1)} s; open timeout ${openTimeoutMs} ms`,
            durationMs: result.elapsedMs,
            bucketMs,
            outcomeColours: { passed: '#60a5fa', failed: '#f97316', rejected: '#9ca3af' },
            shaded: [{ from: outageFrom, to: outageTo, label: 'outage' }],
          },
        ),
      );
      return {
        description:
          'Concurrent clients (each pausing 10 ms between requests) call the provider while the simulator fails every chat request for a while (HTTP 500). The breaker opens after 5 consecutive failures and then rejects at once without touching the server; after the open timeout one probe goes through, and two successful probes close it again.',
        params: {
          concurrency,
          thinkMs,
          durationMs,
          outage: `${outageFrom}-${outageTo} ms`,
          openTimeoutMs,
          failureThreshold: 5,
          successThreshold: 2,
        },
        metrics: {
          'time to open (after the server started failing)': opened
            ? formatMs(opened.t - outageFrom)
            : 'did not open',
          'during the outage: passed / failed / rejected': `${count(during, 'passed')} / ${count(during, 'failed')} / ${count(during, 'rejected')}`,
          'mean latency of a rejection': formatMs(avg(rejectedMs)),
          ...(failedMs.length > 0
            ? { 'mean latency of a failed call': formatMs(avg(failedMs)) }
            : {}),
          'first success after the fault cleared': firstOk
            ? `+${formatMs(firstOk.t - outageTo)}`
            : 'none',
          'time to recover (breaker closed again)': closedAfter
            ? `+${formatMs(closedAfter.t - outageTo)}`
            : 'not closed',
          'requests in total': `${result.started} (${Object.entries(result.outcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`,
          'provider retries': stats.retries,
          'requests the failing server saw (HTTP 500)': sim.stats().byStatus['500'] ?? 0,
        },
        tables: [
          {
            title: 'Transitions',
            columns: ['at', 'from', 'to', 'reason'],
            rows: transitions.map((x) => [formatMs(x.t), x.from, x.to, x.reason]),
          },
        ],
        charts: [chart],
        notes: [
          "Retries sit outside the breaker: once it is open, a retry ends at once with the breaker's rejection instead of waiting out its backoff against a dead server. That is why calls that met a 500 mostly end as rejections (X_PROVIDER_OLLAMA_CIRCUIT_OPEN), and why the failing server saw only a handful of requests.",
        ],
        latency: result.latency,
      };
    } finally {
      off();
      await provider.close();
      await sim.close();
    }
  },
};
