import { countFailureCode, MAX_FAILURE_CODES, OTHER_FAILURE_CODES } from '@x/internal';
import {
  BucketHistogram,
  SECONDS_BUCKETS,
  TOKEN_BUCKETS,
  TOKENS_PER_SECOND_BUCKETS,
} from './buckets';
import { type CallCounts, callCounts } from './call-counts';
import { ModelLabels } from './model-labels';

/** Distinct error codes kept per model (and by the provider); more share the code {@link OTHER}. */
export const MAX_CODES = MAX_FAILURE_CODES;

/** The label of the codes past {@link MAX_CODES} (codes are ours, none is called `other`). */
export const OTHER = OTHER_FAILURE_CODES;

/** The counters and histograms of one model, as `stats().byModel` shows them. */
export interface ModelStats extends CallCounts {
  attempts: number;
  retries: number;
  retriesDeniedByBudget: number;
  cacheHits: number;
  cacheMisses: number;
  /** Calls the rate limiter let through, and those of them that had to wait. */
  rateLimitAdmitted: number;
  rateLimitWaits: number;
  promptTokens: number;
  completionTokens: number;
  truncations: number;
  contextRaises: number;
  /** Successful calls: count, and p50/p90/p99 in ms read from the Prometheus buckets. */
  latencyMs: {
    count: number;
    p50: number | undefined;
    p90: number | undefined;
    p99: number | undefined;
  };
}

/** One model's record: plain counters and the histograms Prometheus renders. */
export class ModelRecord {
  requests = 0;
  successes = 0;
  failures = 0;
  readonly failuresByCode: Record<string, number> = {};
  inFlight = 0;
  cancelled = 0;
  attempts = 0;
  retries = 0;
  retriesDeniedByBudget = 0;
  cacheHits = 0;
  cacheMisses = 0;
  rateLimitAdmitted = 0;
  rateLimitWaits = 0;
  promptTokens = 0;
  completionTokens = 0;
  truncations = 0;
  contextRaises = 0;
  /** Seconds. */
  readonly latency = new BucketHistogram(SECONDS_BUCKETS);
  readonly firstToken = new BucketHistogram(SECONDS_BUCKETS);
  readonly rateLimitWait = new BucketHistogram(SECONDS_BUCKETS);
  readonly promptTokensPerCall = new BucketHistogram(TOKEN_BUCKETS);
  readonly completionTokensPerCall = new BucketHistogram(TOKEN_BUCKETS);
  readonly tokensPerSecond = new BucketHistogram(TOKENS_PER_SECOND_BUCKETS);

  failure(code: string): void {
    this.failures++;
    countFailureCode(this.failuresByCode, code);
  }

  snapshot(): ModelStats {
    const ms = (q: number) => {
      const seconds = this.latency.quantile(q);
      return seconds === undefined ? undefined : seconds * 1000;
    };
    return {
      ...callCounts(this),
      attempts: this.attempts,
      retries: this.retries,
      retriesDeniedByBudget: this.retriesDeniedByBudget,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      rateLimitAdmitted: this.rateLimitAdmitted,
      rateLimitWaits: this.rateLimitWaits,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      truncations: this.truncations,
      contextRaises: this.contextRaises,
      latencyMs: { count: this.latency.count, p50: ms(0.5), p90: ms(0.9), p99: ms(0.99) },
    };
  }
}

/**
 * The records by model label (`ModelLabels`): the first `MAX_MODELS` names get their own,
 * later ones, and names too long to be a model's, share `OVERFLOW_MODEL`. Names told apart
 * only by lone surrogates share one record: rendered, they are one label. A call without a model
 * (server metadata) is recorded under `''`.
 */
export class ModelRecords {
  readonly #records = new Map<string, ModelRecord>();
  readonly #labels = new ModelLabels();

  get(model: string | undefined): ModelRecord {
    const name = model ?? '';
    // Every key is a label, and a name that is a key is its own label: this runs several times
    // per call, and the label of a name seen before is one lookup.
    let record = this.#records.get(name);
    if (record !== undefined) return record;
    const label = this.#labels.label(name);
    record = this.#records.get(label);
    if (record === undefined) {
      record = new ModelRecord();
      this.#records.set(label, record);
    }
    return record;
  }

  entries(): IterableIterator<[string, ModelRecord]> {
    return this.#records.entries();
  }
}
