import { countFailureCode } from '@x/internal';
import { type CallCounts, callCounts } from './call-counts';
import { Histogram, type HistogramSnapshot } from './histogram';
import { type ModelRecord, ModelRecords, type ModelStats } from './model-stats';

/** Counters and distributions of one provider. Never reset. */
export interface ProviderStats extends CallCounts {
  streams: number;
  embeddings: number;
  /** HTTP attempts, retries and server metadata calls included; never health probes. */
  attempts: number;
  retries: number;
  /** Retries refused by the retry budget. */
  retriesDeniedByBudget: number;
  cacheHits: number;
  cacheMisses: number;
  /** Breaker transitions seen by this provider, by target state. */
  breakerTransitions: Record<string, number>;
  /** Calls the rate limiter let through. */
  rateLimitAdmitted: number;
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
  /**
   * The same counters by request model (at most 256 models, later ones and names over 1,024
   * characters under `(other)`; server metadata calls naming no model under `''`), with latency
   * percentiles read from the buckets. Keys are the `model` labels of the metrics.
   */
  byModel: Record<string, ModelStats>;
}

/** The code a failure is counted under: its `code`, else its `name`, else `unknown`. */
export function failureCode(error: unknown): string {
  const coded = error as { code?: unknown; name?: unknown } | null | undefined;
  if (typeof coded?.code === 'string') return coded.code;
  if (typeof coded?.name === 'string') return coded.name;
  return 'unknown';
}

/**
 * The statistics of one provider: totals (with fine-grained latency quantiles) and the same
 * counters by model (with the Prometheus buckets). Each stage reports through one method here,
 * which keeps both in step.
 */
export class StatsRecorder {
  requests = 0;
  successes = 0;
  failures = 0;
  /** By error code, bounded as each model's are (`countFailureCode`). */
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
  rateLimitAdmitted = 0;
  rateLimitWaits = 0;
  readonly rateLimitWait = new Histogram();
  readonly latency = new Histogram();
  readonly firstToken = new Histogram();
  readonly tokensPerSecond = new Histogram();
  promptTokens = 0;
  completionTokens = 0;
  truncations = 0;
  contextRaises = 0;
  readonly models = new ModelRecords();
  #driftSamples = 0;
  #driftRatioSum = 0;
  #driftAbsSum = 0;

  /** A call began: counted, and in flight until {@link ended}. Returns its model's record. */
  started(model: string | undefined): ModelRecord {
    const record = this.models.get(model);
    this.requests++;
    this.inFlight++;
    record.requests++;
    record.inFlight++;
    return record;
  }

  ended(record: ModelRecord): void {
    this.inFlight--;
    record.inFlight--;
  }

  /** A call answered (cache hits included; their tokens are not the server's work, not counted). */
  succeeded(
    model: string,
    latencyMs: number,
    usage: { promptTokens?: number | undefined; completionTokens?: number | undefined },
    tokensPerSecond: number | undefined,
    cached: boolean,
  ): void {
    const record = this.models.get(model);
    this.successes++;
    record.successes++;
    this.latency.record(latencyMs);
    record.latency.record(latencyMs / 1000);
    if (cached) return;
    const { promptTokens, completionTokens } = usage;
    if (promptTokens !== undefined) {
      this.promptTokens += promptTokens;
      record.promptTokens += promptTokens;
      record.promptTokensPerCall.record(promptTokens);
    }
    if (completionTokens !== undefined) {
      this.completionTokens += completionTokens;
      record.completionTokens += completionTokens;
      record.completionTokensPerCall.record(completionTokens);
    }
    if (tokensPerSecond !== undefined) {
      this.tokensPerSecond.record(tokensPerSecond);
      record.tokensPerSecond.record(tokensPerSecond);
    }
  }

  failed(model: string | undefined, error: unknown): void {
    const code = failureCode(error);
    this.failures++;
    countFailureCode(this.failuresByCode, code);
    this.models.get(model).failure(code);
  }

  /** A call the caller aborted, or a stream it stopped reading before its end (not a failure). */
  cancel(model: string): void {
    this.cancelled++;
    this.models.get(model).cancelled++;
  }

  attempt(model: string | undefined): void {
    this.attempts++;
    this.models.get(model).attempts++;
  }

  retried(model: string | undefined): void {
    this.retries++;
    this.models.get(model).retries++;
  }

  retryDenied(model: string | undefined): void {
    this.retriesDeniedByBudget++;
    this.models.get(model).retriesDeniedByBudget++;
  }

  cacheHit(model: string): void {
    this.cacheHits++;
    this.models.get(model).cacheHits++;
  }

  cacheMiss(model: string): void {
    this.cacheMisses++;
    this.models.get(model).cacheMisses++;
  }

  /** The rate limiter let a call through after `waitedMs`; a wait under 1 ms is no wait. */
  admitted(model: string, waitedMs: number): void {
    const record = this.models.get(model);
    this.rateLimitAdmitted++;
    record.rateLimitAdmitted++;
    if (waitedMs < 1) return;
    this.rateLimitWaits++;
    record.rateLimitWaits++;
    this.rateLimitWait.record(waitedMs);
    record.rateLimitWait.record(waitedMs / 1000);
  }

  firstTokenAfter(model: string, ms: number): void {
    this.firstToken.record(ms);
    this.models.get(model).firstToken.record(ms / 1000);
  }

  truncated(model: string): void {
    this.truncations++;
    this.models.get(model).truncations++;
  }

  contextRaised(model: string): void {
    this.contextRaises++;
    this.models.get(model).contextRaises++;
  }

  drift(estimated: number, actual: number): void {
    if (!(estimated > 0) || !(actual >= 0)) return;
    this.#driftSamples++;
    this.#driftRatioSum += actual / estimated;
    this.#driftAbsSum += Math.abs(actual - estimated) / estimated;
  }

  /** Mean of actual / estimated prompt tokens, undefined before the first sample. */
  get driftRatio(): number | undefined {
    return this.#driftSamples === 0 ? undefined : this.#driftRatioSum / this.#driftSamples;
  }

  snapshot(): ProviderStats {
    const n = this.#driftSamples;
    // Defined, not assigned: a model named `__proto__` is a key like any other (an assignment
    // would set the object's prototype and drop it).
    const byModel: Record<string, ModelStats> = Object.fromEntries(
      Array.from(this.models.entries(), ([model, record]) => [model, record.snapshot()]),
    );
    return {
      ...callCounts(this),
      streams: this.streams,
      embeddings: this.embeddings,
      attempts: this.attempts,
      retries: this.retries,
      retriesDeniedByBudget: this.retriesDeniedByBudget,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      breakerTransitions: { ...this.breakerTransitions },
      rateLimitAdmitted: this.rateLimitAdmitted,
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
      byModel,
    };
  }
}
