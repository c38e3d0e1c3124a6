import { Histogram, type HistogramSnapshot } from './histogram';

/** Counters and distributions of one provider. Never reset. */
export interface ProviderStats {
  /** Logical calls (complete, stream, embed), cache hits included. */
  requests: number;
  successes: number;
  failures: number;
  /** Failures by error `code` (or `name` when the error has no code). */
  failuresByCode: Record<string, number>;
  /** Calls running now. */
  inFlight: number;
  /** Streams the caller stopped reading before the end (not failures). */
  cancelled: number;
  streams: number;
  embeddings: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  retries: number;
  /** Retries refused by the retry budget. */
  retriesDeniedByBudget: number;
  cacheHits: number;
  cacheMisses: number;
  /** Breaker transitions seen by this provider, by target state. */
  breakerTransitions: Record<string, number>;
  /** Calls that had to wait for the rate limiter, and the wait distribution (ms). */
  rateLimitWaits: number;
  rateLimitWaitMs: HistogramSnapshot;
  /** Latency of successful calls, from call to complete answer (ms). */
  latencyMs: HistogramSnapshot;
  /** Time to first chunk of streams (ms). */
  firstTokenMs: HistogramSnapshot;
  /** Generation speed reported by the server. */
  tokensPerSecond: HistogramSnapshot;
  promptTokens: number;
  completionTokens: number;
  /** Responses flagged as silently truncated. */
  truncations: number;
  /** Times `num_ctx` was raised for a model. */
  contextRaises: number;
  /** Actual prompt tokens / estimated, over calls with both. 1 means perfect estimates. */
  estimateDrift: {
    samples: number;
    meanRatio: number | undefined;
    meanAbsErrorPct: number | undefined;
  };
}

export class StatsRecorder {
  requests = 0;
  successes = 0;
  failures = 0;
  readonly failuresByCode: Record<string, number> = {};
  inFlight = 0;
  cancelled = 0;
  streams = 0;
  embeddings = 0;
  attempts = 0;
  retries = 0;
  retriesDeniedByBudget = 0;
  cacheHits = 0;
  cacheMisses = 0;
  readonly breakerTransitions: Record<string, number> = {};
  rateLimitWaits = 0;
  readonly rateLimitWait = new Histogram();
  readonly latency = new Histogram();
  readonly firstToken = new Histogram();
  readonly tokensPerSecond = new Histogram();
  promptTokens = 0;
  completionTokens = 0;
  truncations = 0;
  contextRaises = 0;
  #driftSamples = 0;
  #driftRatioSum = 0;
  #driftAbsSum = 0;

  failure(error: unknown): void {
    this.failures++;
    const code =
      typeof (error as { code?: unknown })?.code === 'string'
        ? (error as { code: string }).code
        : typeof (error as { name?: unknown })?.name === 'string'
          ? (error as { name: string }).name
          : 'unknown';
    this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
  }

  drift(estimated: number, actual: number): void {
    if (!(estimated > 0) || !(actual >= 0)) return;
    this.#driftSamples++;
    this.#driftRatioSum += actual / estimated;
    this.#driftAbsSum += Math.abs(actual - estimated) / estimated;
  }

  snapshot(): ProviderStats {
    const n = this.#driftSamples;
    return {
      requests: this.requests,
      successes: this.successes,
      failures: this.failures,
      failuresByCode: { ...this.failuresByCode },
      inFlight: this.inFlight,
      cancelled: this.cancelled,
      streams: this.streams,
      embeddings: this.embeddings,
      attempts: this.attempts,
      retries: this.retries,
      retriesDeniedByBudget: this.retriesDeniedByBudget,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      breakerTransitions: { ...this.breakerTransitions },
      rateLimitWaits: this.rateLimitWaits,
      rateLimitWaitMs: this.rateLimitWait.snapshot(),
      latencyMs: this.latency.snapshot(),
      firstTokenMs: this.firstToken.snapshot(),
      tokensPerSecond: this.tokensPerSecond.snapshot(),
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      truncations: this.truncations,
      contextRaises: this.contextRaises,
      estimateDrift: {
        samples: n,
        meanRatio: n === 0 ? undefined : this.#driftRatioSum / n,
        meanAbsErrorPct: n === 0 ? undefined : (this.#driftAbsSum / n) * 100,
      },
    };
  }
}
