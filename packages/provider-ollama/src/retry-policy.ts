import { RetryBudget } from './internal/retry';
import { type ResolvedRetry, type RetryOptions, resolveRetry } from './options';

const POLICY = Symbol.for('@x/provider-ollama/RetryPolicy');

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
 * Creates a shareable retry policy; pass it as `retry` to several providers.
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

/** @internal The options and budget of `retry`, whether options, a policy or false. */
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
