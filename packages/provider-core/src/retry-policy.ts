import { type ResolvedRetry, type RetryOptions, resolveRetry } from './options';

/**
 * Keeps retries a bounded share of traffic: every request deposits `ratio` tokens, every retry
 * withdraws one. The balance starts at, and is capped by, `reserve`, so a quiet client can still
 * retry a few times while a failing burst cannot multiply its own load.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly reserve: number;
  #balance: number;
  #denied = 0;

  constructor(ratio: number, reserve: number) {
    this.ratio = ratio;
    this.reserve = reserve;
    this.#balance = reserve;
  }

  deposit(): void {
    this.#balance = Math.min(this.reserve, this.#balance + this.ratio);
  }

  tryWithdraw(): boolean {
    if (this.#balance >= 1) {
      this.#balance -= 1;
      return true;
    }
    this.#denied++;
    return false;
  }

  get balance(): number {
    return this.#balance;
  }

  get denied(): number {
    return this.#denied;
  }
}

const POLICY = Symbol.for('@x/provider-core/RetryPolicy');

/** A snapshot of a retry policy's budget. */
export interface RetryPolicyStats {
  /** Retries the budget allows right now (the balance, rounded down). */
  available: number;
  /** Retries refused by the budget since creation. */
  denied: number;
}

/**
 * A retry policy to share between providers: one budget then bounds the retries of all of them
 * (an outage of one server seen by several providers does not multiply the load).
 */
export interface RetryPolicy {
  /** The resolved options. */
  readonly options: Readonly<ResolvedRetry>;
  /** A snapshot of the budget. */
  stats(): RetryPolicyStats;
}

interface InternalPolicy extends RetryPolicy {
  readonly budget: RetryBudget | undefined;
}

/**
 * Creates a shareable retry policy; pass it as `retry` to several providers (of any kind).
 *
 * @throws {TypeError | RangeError} for an invalid option.
 * @example
 * const retry = createRetryPolicy({ retries: 3, budget: { ratio: 0.1, reserve: 20 } });
 * const a = createOllamaProvider({ baseUrl: 'http://gpu-1:11434', retry });
 * const b = createOllamaProvider({ baseUrl: 'http://gpu-2:11434', retry });
 */
export function createRetryPolicy(options?: RetryOptions): RetryPolicy {
  const resolved = Object.freeze(resolveRetry(options ?? {}));
  const budget = resolved.budget
    ? new RetryBudget(resolved.budget.ratio, resolved.budget.reserve)
    : undefined;
  const policy: InternalPolicy = {
    options: resolved,
    budget,
    stats: () => ({
      available: budget === undefined ? Number.POSITIVE_INFINITY : Math.floor(budget.balance),
      denied: budget?.denied ?? 0,
    }),
  };
  Object.defineProperty(policy, POLICY, { value: true });
  return policy;
}

/** The options and budget of a `retry` option: options, a shared policy, or `false`. */
export function retryParts(value: unknown): {
  options: ResolvedRetry;
  budget: RetryBudget | undefined;
} {
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[POLICY] === true
  ) {
    const policy = value as InternalPolicy;
    return { options: policy.options, budget: policy.budget };
  }
  const options = resolveRetry(value);
  return {
    options,
    budget: options.budget
      ? new RetryBudget(options.budget.ratio, options.budget.reserve)
      : undefined,
  };
}

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(maxDelayMs, baseDelayMs * 2^retry)). `retry` counts from 0 for the first retry.
 */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * cap);
}
