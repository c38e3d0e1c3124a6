// Real clock throughout: a real Prometheus (a child process) scrapes the live dashboard while its
// load runs against the simulator, through an outage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type PrometheusHandle, startPrometheus } from '../../../../scripts/testing/prometheus';
import { type Dashboard, startDashboard } from './server';

const dashboardFile = join(import.meta.dirname, '../../../../dashboards/x-llm.json');

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

/** Every PromQL query of the Grafana dashboard, with its variables set as "All" would set them. */
function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map(({ expr }) => ({
      panel: panel.title,
      expr: expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$provider', '.*')
        .replaceAll('$model', '.*'),
    })),
  );
}

/** The histograms the dashboard's quantile panels read. */
const HISTOGRAMS = [
  'request_duration_seconds',
  'first_token_seconds',
  'request_completion_tokens',
  'request_prompt_tokens',
  'tokens_per_second',
];

const running: Array<PrometheusHandle | Dashboard> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) {
    await ('stop' in item ? item.stop() : item.close());
  }
});

describe('the Grafana dashboard against a real Prometheus', () => {
  it('answers every PromQL query of dashboards/x-llm.json with at least one series while the demo load runs through an outage (real clock, real prometheus)', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const dashboard = await startDashboard({
      port: 0,
      cycle: [
        { name: 'normal', ms: 1500 },
        { name: 'outage', ms: 2500 },
        { name: 'normal', ms: 60_000 },
      ],
      loop: false,
    });
    running.push(dashboard);
    const prometheus = await startPrometheus({ target: dashboard.target, scrapeIntervalMs: 500 });
    running.push(prometheus);

    // Two scrapes at least, and the breaker's whole outage (open, then closed again) scraped.
    await vi.waitFor(
      async () => {
        const up = await prometheus.query('count_over_time(up{job="x-demo"}[1m])');
        expect(Number(up[0]?.value?.[1] ?? 0)).toBeGreaterThanOrEqual(2);
        const closed = await prometheus.query(
          'x_provider_ollama_breaker_transitions_total{to="closed"}',
        );
        expect(Number(closed[0]?.value?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
        const state = await prometheus.query('x_provider_ollama_breaker_state{state="closed"}');
        expect(state[0]?.value?.[1]).toBe('1');
        // A rate needs two samples of a series: on a busy machine the histograms' first ones can
        // come a scrape or two after the counters'.
        for (const histogram of HISTOGRAMS) {
          const samples = await prometheus.query(
            `max(count_over_time({__name__=~"x_provider_[a-z0-9]+_${histogram}_count"}[1m]))`,
          );
          expect(Number(samples[0]?.value?.[1] ?? 0)).toBeGreaterThanOrEqual(2);
        }
      },
      { timeout: 40_000, interval: 250 },
    );

    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const result = await prometheus.query(expr);
      if (result.length === 0) empty.push(`${panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
    // The outage reached the errors panel: the open breaker's refusals, and the server's 503s for
    // calls whose retries ran out before the breaker opened (how many depends on the timing).
    const errors = await prometheus.query(
      'sum by (code) (increase({__name__=~"x_provider_[a-z0-9]+_failures_total"}[1m]))',
    );
    const codes = errors.map((e) => e.metric.code);
    expect(codes).toContain('X_PROVIDER_OLLAMA_CIRCUIT_OPEN');
    for (const code of codes) {
      expect(['X_PROVIDER_OLLAMA_CIRCUIT_OPEN', 'X_PROVIDER_OLLAMA_SERVER_BUSY']).toContain(code);
    }
    // The 503s themselves were retried, whichever error each call ended with.
    const retries = await prometheus.query('sum({__name__=~"x_provider_[a-z0-9]+_retries_total"})');
    expect(Number(retries[0]?.value?.[1] ?? 0)).toBeGreaterThan(0);
    // Aggregated latency from the buckets: a real number of seconds.
    const latency = queries.filter((q) => q.panel === 'Latency of successful calls');
    const [p99] = await prometheus.query(latency.at(-1)!.expr);
    expect(Number(p99!.value![1])).toBeGreaterThan(0);
  }, 60_000);
});
