import type { BucketHistogram } from './buckets';
import type { ModelRecord } from './model-stats';
import type { StatsRecorder } from './stats';

/** One sample of a metric family: its labels, its value, and the suffix of a histogram part. */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
  /** `_bucket`, `_sum` or `_count` for a histogram's parts; absent otherwise. */
  suffix?: '_bucket' | '_sum' | '_count' | undefined;
}

/** A metric family as the Prometheus exposition format has it: one name, one type, its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: MetricSample[];
}

/** Anything whose metrics can be exposed: a provider, or the core under it. */
export interface MetricsSource {
  metricFamilies(): MetricFamily[];
  /**
   * The `provider` label of its series (a provider's `name` option): two sources rendered
   * together must not share one. Without it, the labels its samples carry are compared.
   */
  readonly name?: string | undefined;
  /** True once it was closed: `registerPromClient` then lets it go. */
  readonly closed?: boolean | undefined;
}

/** Live state of the composed pieces, rendered as gauges. */
export interface PieceGauges {
  breakerState: string | undefined;
  rateLimitQueued: number | undefined;
  /** The `maxConcurrent` limiter: its calls in flight and queued, read when rendered. */
  concurrency?: { readonly active: number; readonly queued: number } | undefined;
  cache: { entries?: number | undefined; hitRate?: number | undefined } | undefined;
  pool: { connected?: number | undefined; queued?: number | undefined } | undefined;
}

const BREAKER_STATES = ['closed', 'half-open', 'open'];

/** The metric prefix of a package: `x_provider_ollama` for `provider-ollama`. */
export function metricPrefix(pkg: string): string {
  return `x_${pkg.replace(/[^a-zA-Z0-9]+/g, '_')}`;
}

type Counter = (record: ModelRecord) => number;
type Buckets = (record: ModelRecord) => BucketHistogram;

/** Counters with `provider` and `model` labels, one sample per model. */
const MODEL_COUNTERS: ReadonlyArray<[string, string, Counter]> = [
  [
    'requests_total',
    'Logical calls (complete, stream, embed...), cache hits included; not server metadata calls (counted in attempts_total).',
    (r) => r.requests,
  ],
  ['successes_total', 'Calls that returned an answer.', (r) => r.successes],
  [
    'cancelled_total',
    'Calls the caller aborted, streams it stopped reading before the end, and calls destroy() or close() ended.',
    (r) => r.cancelled,
  ],
  [
    'attempts_total',
    // A metadata call naming no model (initialize()'s model list) makes an attempt under
    // model="" beside a requests_total of 0 there: the HELP says what that sample is.
    'HTTP attempts: retries included, and server metadata calls (model lists, model details; an empty model label when they name none), which requests_total does not count. Health probes are counted nowhere.',
    (r) => r.attempts,
  ],
  ['retries_total', 'Retries.', (r) => r.retries],
  ['retries_denied_total', 'Retries refused by the retry budget.', (r) => r.retriesDeniedByBudget],
  ['cache_hits_total', 'Answers served from the cache.', (r) => r.cacheHits],
  ['cache_misses_total', 'Cacheable calls that went to the server.', (r) => r.cacheMisses],
  ['rate_limit_admitted_total', 'Calls the rate limiter let through.', (r) => r.rateLimitAdmitted],
  [
    'rate_limit_waits_total',
    'Calls that waited 1 ms or more for the rate limiter.',
    (r) => r.rateLimitWaits,
  ],
  [
    'prompt_tokens_total',
    'Prompt tokens counted by the server (cache hits excluded).',
    (r) => r.promptTokens,
  ],
  [
    'completion_tokens_total',
    'Generated tokens counted by the server (cache hits excluded).',
    (r) => r.completionTokens,
  ],
  [
    'truncations_total',
    'Answers whose prompt the server most likely cut silently.',
    (r) => r.truncations,
  ],
  [
    'context_raises_total',
    'Times the context window was raised for a model.',
    (r) => r.contextRaises,
  ],
];

/** Histograms with `provider` and `model` labels. */
const MODEL_HISTOGRAMS: ReadonlyArray<[string, string, Buckets]> = [
  [
    'request_duration_seconds',
    'Latency of successful calls, from the call to the complete answer.',
    (r) => r.latency,
  ],
  [
    'first_token_seconds',
    'Time from sending a streamed request to its first chunk.',
    (r) => r.firstToken,
  ],
  [
    'rate_limit_wait_seconds',
    'Time waited for the rate limiter, by calls that waited.',
    (r) => r.rateLimitWait,
  ],
  [
    'request_prompt_tokens',
    'Prompt tokens of one call, counted by the server.',
    (r) => r.promptTokensPerCall,
  ],
  [
    'request_completion_tokens',
    'Generated tokens of one call, counted by the server.',
    (r) => r.completionTokensPerCall,
  ],
  [
    'tokens_per_second',
    'Generation speed reported by the server, in tokens per second.',
    (r) => r.tokensPerSecond,
  ],
];

function histogramSamples(
  histogram: BucketHistogram,
  labels: Record<string, string>,
): MetricSample[] {
  const { bounds, cumulative, sum, count } = histogram.snapshot();
  const samples: MetricSample[] = bounds.map((bound, i) => ({
    labels: { ...labels, le: String(bound) },
    value: cumulative[i]!,
    suffix: '_bucket' as const,
  }));
  samples.push(
    { labels: { ...labels, le: '+Inf' }, value: count, suffix: '_bucket' },
    { labels, value: sum, suffix: '_sum' },
    { labels, value: count, suffix: '_count' },
  );
  return samples;
}

/**
 * Every metric of one provider as families, names starting with `prefix`. The set of families is
 * fixed for a provider (a piece it does not use has none), so a registry that lists them once
 * stays right; per-model samples appear with their model, histograms at their first observation.
 */
export function buildFamilies(
  stats: StatsRecorder,
  pieces: PieceGauges,
  prefix: string,
  provider: string,
): MetricFamily[] {
  const models = [...stats.models.entries()];
  const labelsOf = (model: string) => ({ provider, model });
  const families: MetricFamily[] = [];
  for (const [name, help, read] of MODEL_COUNTERS) {
    families.push({
      name: `${prefix}_${name}`,
      help,
      type: 'counter',
      samples: models.map(([model, record]) => ({ labels: labelsOf(model), value: read(record) })),
    });
  }
  families.push({
    name: `${prefix}_failures_total`,
    help: 'Calls that failed, by error code.',
    type: 'counter',
    samples: models.flatMap(([model, record]) =>
      Object.entries(record.failuresByCode).map(([code, value]) => ({
        labels: { provider, model, code },
        value,
      })),
    ),
  });
  families.push({
    name: `${prefix}_in_flight`,
    help: 'Calls running now.',
    type: 'gauge',
    samples: models.map(([model, record]) => ({ labels: labelsOf(model), value: record.inFlight })),
  });
  for (const [name, help, read] of MODEL_HISTOGRAMS) {
    families.push({
      name: `${prefix}_${name}`,
      help,
      type: 'histogram',
      samples: models.flatMap(([model, record]) => {
        const histogram = read(record);
        return histogram.count === 0 ? [] : histogramSamples(histogram, labelsOf(model));
      }),
    });
  }
  families.push(...pieceFamilies(stats, pieces, prefix, provider));
  return families;
}

/** What belongs to the provider as a whole: the breaker, limiter queue, cache, pool, estimates. */
function pieceFamilies(
  stats: StatsRecorder,
  pieces: PieceGauges,
  prefix: string,
  provider: string,
): MetricFamily[] {
  const gauge = (name: string, help: string, value: number | undefined): MetricFamily => ({
    name: `${prefix}_${name}`,
    help,
    type: 'gauge',
    // Unknown (no estimate yet): no sample, rather than a NaN every dashboard has to filter.
    samples: value === undefined ? [] : [{ labels: { provider }, value }],
  });
  const families: MetricFamily[] = [
    {
      name: `${prefix}_breaker_transitions_total`,
      help: 'Circuit breaker transitions, by target state.',
      type: 'counter',
      samples: Object.entries(stats.breakerTransitions).map(([to, value]) => ({
        labels: { provider, to },
        value,
      })),
    },
    gauge('estimate_drift_ratio', 'Mean of actual / estimated prompt tokens.', stats.driftRatio),
  ];
  if (pieces.breakerState !== undefined) {
    families.push({
      name: `${prefix}_breaker_state`,
      help: 'Circuit breaker state: 1 for the current state, 0 for the others.',
      type: 'gauge',
      samples: BREAKER_STATES.map((state) => ({
        labels: { provider, state },
        value: state === pieces.breakerState ? 1 : 0,
      })),
    });
  }
  if (pieces.rateLimitQueued !== undefined) {
    families.push(
      gauge('rate_limit_queued', 'Callers waiting for the rate limiter.', pieces.rateLimitQueued),
    );
  }
  if (pieces.concurrency !== undefined) {
    families.push(
      gauge('concurrency_active', 'Calls holding a concurrency slot.', pieces.concurrency.active),
      gauge(
        'concurrency_queued',
        'Calls waiting for a concurrency slot.',
        pieces.concurrency.queued,
      ),
    );
  }
  if (pieces.cache?.entries !== undefined) {
    families.push(gauge('cache_entries', 'Entries in the response cache.', pieces.cache.entries));
  }
  if (pieces.pool?.connected !== undefined) {
    families.push(
      gauge('pool_connections', 'Open connections in the pool.', pieces.pool.connected),
    );
  }
  if (pieces.pool?.queued !== undefined) {
    families.push(
      gauge('pool_queued', 'Requests waiting for a pooled connection.', pieces.pool.queued),
    );
  }
  return families;
}
