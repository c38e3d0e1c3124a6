import type { HistogramSnapshot } from './histogram';
import type { ProviderStats } from './stats';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(extra: Record<string, string>): string {
  const entries = Object.entries(extra);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function value(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  return String(n);
}

/** Live state of the composed pieces, rendered as gauges. */
export interface PieceGauges {
  breakerState: string | undefined;
  rateLimitQueued: number | undefined;
  cache: { entries?: number; hitRate?: number } | undefined;
  pool: { connected?: number; queued?: number } | undefined;
}

const BREAKER_STATES = ['closed', 'half-open', 'open'];

/** The metric prefix of a package: `x_provider_ollama` for `provider-ollama`. */
export function metricPrefix(pkg: string): string {
  return `x_${pkg.replace(/[^a-zA-Z0-9]+/g, '_')}`;
}

/**
 * Renders a stats snapshot in the Prometheus text exposition format (version 0.0.4), every metric
 * name starting with `prefix`.
 */
export function renderPrometheus(
  stats: ProviderStats,
  pieces: PieceGauges,
  prefix: string,
): string {
  const PREFIX = prefix;
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: Array<[Record<string, string>, number | undefined]>,
  ) => {
    lines.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} ${type}`);
    for (const [extra, n] of samples) {
      lines.push(`${PREFIX}_${name}${labels(extra)} ${value(n)}`);
    }
  };
  const summary = (name: string, help: string, h: HistogramSnapshot, unitScale = 1) => {
    lines.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} summary`);
    for (const [q, v] of [
      ['0.5', h.p50],
      ['0.9', h.p90],
      ['0.99', h.p99],
    ] as const) {
      lines.push(
        `${PREFIX}_${name}${labels({ quantile: q })} ${value(v === undefined ? undefined : v * unitScale)}`,
      );
    }
    const sum = h.mean === undefined ? 0 : h.mean * h.count * unitScale;
    lines.push(`${PREFIX}_${name}_sum${labels({})} ${value(sum)}`);
    lines.push(`${PREFIX}_${name}_count${labels({})} ${h.count}`);
  };
  metric('requests_total', 'counter', 'Logical calls (complete, stream, embed...).', [
    [{}, stats.requests],
  ]);
  metric('successes_total', 'counter', 'Calls that returned an answer.', [[{}, stats.successes]]);
  metric(
    'failures_total',
    'counter',
    'Calls that failed, by error code.',
    Object.entries(stats.failuresByCode).map(([code, n]) => [{ code }, n]),
  );
  metric('in_flight', 'gauge', 'Calls running now.', [[{}, stats.inFlight]]);
  metric('attempts_total', 'counter', 'HTTP attempts, retries included.', [[{}, stats.attempts]]);
  metric('retries_total', 'counter', 'Retries.', [[{}, stats.retries]]);
  metric('retries_denied_total', 'counter', 'Retries refused by the retry budget.', [
    [{}, stats.retriesDeniedByBudget],
  ]);
  metric('cache_hits_total', 'counter', 'Answers served from the cache.', [[{}, stats.cacheHits]]);
  metric('cache_misses_total', 'counter', 'Cache lookups that missed.', [[{}, stats.cacheMisses]]);
  metric(
    'breaker_transitions_total',
    'counter',
    'Circuit breaker transitions, by target state.',
    Object.entries(stats.breakerTransitions).map(([to, n]) => [{ to }, n]),
  );
  metric('rate_limit_waits_total', 'counter', 'Calls that waited for the rate limiter.', [
    [{}, stats.rateLimitWaits],
  ]);
  summary(
    'rate_limit_wait_seconds',
    'Time waited for the rate limiter.',
    stats.rateLimitWaitMs,
    1e-3,
  );
  summary('request_duration_seconds', 'Latency of successful calls.', stats.latencyMs, 1e-3);
  summary('first_token_seconds', 'Time to the first streamed chunk.', stats.firstTokenMs, 1e-3);
  summary('tokens_per_second', 'Generation speed reported by the server.', stats.tokensPerSecond);
  metric('prompt_tokens_total', 'counter', 'Prompt tokens reported by the server.', [
    [{}, stats.promptTokens],
  ]);
  metric('completion_tokens_total', 'counter', 'Generated tokens reported by the server.', [
    [{}, stats.completionTokens],
  ]);
  metric(
    'truncations_total',
    'counter',
    'Answers whose prompt the server most likely cut silently.',
    [[{}, stats.truncations]],
  );
  metric('context_raises_total', 'counter', 'Times the context window was raised for a model.', [
    [{}, stats.contextRaises],
  ]);
  metric('estimate_drift_ratio', 'gauge', 'Mean of actual / estimated prompt tokens.', [
    [{}, stats.estimateDrift.meanRatio],
  ]);
  if (pieces.breakerState !== undefined) {
    metric(
      'breaker_state',
      'gauge',
      'Circuit breaker state: 1 for the current state, 0 for the others.',
      BREAKER_STATES.map((state) => [{ state }, state === pieces.breakerState ? 1 : 0]),
    );
  }
  if (pieces.rateLimitQueued !== undefined) {
    metric('rate_limit_queued', 'gauge', 'Callers waiting for the rate limiter.', [
      [{}, pieces.rateLimitQueued],
    ]);
  }
  if (pieces.cache?.entries !== undefined) {
    metric('cache_entries', 'gauge', 'Entries in the response cache.', [
      [{}, pieces.cache.entries],
    ]);
  }
  if (pieces.pool?.connected !== undefined) {
    metric('pool_connections', 'gauge', 'Open connections in the pool.', [
      [{}, pieces.pool.connected],
    ]);
  }
  if (pieces.pool?.queued !== undefined) {
    metric('pool_queued', 'gauge', 'Requests waiting for a pooled connection.', [
      [{}, pieces.pool.queued],
    ]);
  }
  return `${lines.join('\n')}\n`;
}
