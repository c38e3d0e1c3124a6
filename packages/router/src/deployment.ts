import type { ResolvedDeployment } from './deployment-options';
import { Health } from './health';
import { LatencyScore } from './latency';
import { QuotaGauge } from './quota';
import type { RequestFieldsLike, RoutableProvider } from './types';

/** The three kinds of call, each with its own latency average. */
export type Operation = 'complete' | 'stream' | 'embed';

/** One deployment as the router runs it: its options, health, load and measurements. */
export class Deployment {
  readonly id: string;
  readonly group: string;
  readonly model: string;
  readonly provider: RoutableProvider;
  readonly weight: number;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly maxConcurrent: number;
  /** Its provider takes token ids as embedding input (`embedTokenIds`). */
  readonly embedTokenIds: boolean;
  /** A request sent to it loses the fields only other providers of its group take. */
  readonly dropUnknownFields: boolean;
  /**
   * Its provider's `requestFields`, read at construction when a deployment of the router drops
   * fields (else undefined).
   */
  readonly requestFields: RequestFieldsLike | undefined;
  /**
   * The configured window, else the one learnt (`ps()`, else `modelInfo()` of a provider without
   * `ps()`, an overflow error); lowered to the window its overflow error states when that is
   * smaller (what the request ran with), never raised by one above it.
   */
  contextWindow: number | undefined;
  /**
   * The window its last overflow error stated: taken as the window of the other deployments of its
   * model in its group whose own is unknown.
   */
  overflowWindow: number | undefined = undefined;
  /**
   * Its model's trained maximum (`modelInfo()`), when the window in use is unknown: no window is
   * larger, and it is never taken as the window.
   */
  windowUpperBound: number | undefined = undefined;
  /** `modelInfo()` was asked already (asked once; `ps()` is asked by each call that overflowed). */
  windowLooked = false;
  readonly health = new Health();
  readonly quota = new QuotaGauge();
  /**
   * Latency of answered calls, per kind (`stream`: to its first chunk, however it ends), and the
   * penalty of failures since, for `lowest-latency`.
   */
  readonly latency: Record<Operation, LatencyScore> = {
    complete: new LatencyScore(),
    stream: new LatencyScore(),
    embed: new LatencyScore(),
  };
  inFlight = 0;
  calls = 0;
  successes = 0;
  failures = 0;
  /** Times it was passed over without a call (cooling, breaker open, busy...). */
  skipped = 0;

  constructor(options: ResolvedDeployment) {
    this.id = options.id;
    this.group = options.group;
    this.model = options.model;
    this.provider = options.provider;
    this.weight = options.weight;
    this.priority = options.priority;
    this.tags = options.tags;
    this.maxConcurrent = options.maxConcurrent;
    this.embedTokenIds = options.embedTokenIds;
    this.contextWindow = options.contextWindow;
    this.dropUnknownFields = options.dropUnknownFields;
    this.requestFields = options.requestFields;
  }

  supports(op: Operation): boolean {
    return typeof this.provider[op] === 'function';
  }

  /** True when it carries every tag asked for. */
  hasTags(tags: readonly string[] | undefined): boolean {
    return tags === undefined || tags.every((t) => this.tags.includes(t));
  }

  /** Its breaker's state, when its provider has one (reading it moves an elapsed open breaker to half-open). */
  breakerState(): string | undefined {
    return this.provider.breaker?.state;
  }

  /**
   * Ms until its open breaker lets a call through, when the breaker says (`stats().retryAfterMs`
   * of `@x/breaker`); `undefined` when it cannot tell (no `stats()`, or opened by hand with
   * `isolate()`, which lasts until closed by hand).
   */
  breakerRetryAfterMs(): number | undefined {
    const ms = this.provider.breaker?.stats?.().retryAfterMs;
    return typeof ms === 'number' && ms >= 0 && Number.isFinite(ms) ? ms : undefined;
  }
}
