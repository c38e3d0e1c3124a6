import { expected, expectNumber, fail, isPlainObject, optionalFunction } from '@x/internal';
import {
  type AcquireOptions,
  costError,
  expectOptions,
  optionalTimeout,
  unknownLimit,
} from './options';
import type { Costs, RateLimiter } from './rate-limiter-api';

/** Anything with a bucket-style `acquire(cost, options)`: a `TokenBucket`, a `RedisTokenBucket`. */
export interface BucketLike {
  acquire(cost?: number, options?: AcquireOptions): Promise<void>;
}

/**
 * A bucket, or a keyed `RateLimiter` (then `key` is required); `Name` is the limiter's limit
 * names, which a `cost` object may use.
 */
export type LimiterLike<Name extends string = string> = BucketLike | RateLimiter<Name>;

/**
 * Options of {@link rateLimited}. `Args` is the wrapped function's arguments, which the option
 * functions receive; `Name` the limit names of a keyed limiter, the keys a `cost` object may have.
 */
export interface RateLimitedOptions<
  Args extends unknown[] = unknown[],
  Name extends string = string,
> {
  /**
   * What one call costs: a number for a bucket, costs by limit name for a keyed limiter, or a
   * function of the call's arguments returning either.
   * @default 1 (every limit of a keyed limiter: 1)
   */
  cost?: number | Costs<Name> | ((...args: Args) => number | Costs<Name>) | undefined;
  /** The key, for a keyed `RateLimiter` (required there): a string or a function of the arguments. */
  key?: string | ((...args: Args) => string) | undefined;
  /**
   * The longest a call may wait for admission, in ms; then it rejects with `RateLimitTimeoutError`
   * and `fn` is not called.
   * @default undefined (wait as long as it takes)
   */
  timeoutMs?: number | undefined;
  /** Picks the call's `AbortSignal` from its arguments, so an abort also ends the wait. */
  signal?: ((...args: Args) => AbortSignal | undefined) | undefined;
}

/**
 * Options of the decorator form of {@link rateLimited}: those of {@link RateLimitedOptions}, each
 * function typed apart. `KeyArgs`, `CostArgs` and `SignalArgs` are the parameters each function
 * annotates, every one of them leading arguments of the decorated method: `key` may read the
 * first and `signal` the third.
 */
export interface RateLimitedMethodOptions<
  KeyArgs extends unknown[] = unknown[],
  CostArgs extends unknown[] = unknown[],
  SignalArgs extends unknown[] = unknown[],
  Name extends string = string,
> {
  /** As {@link RateLimitedOptions.cost}. */
  cost?: number | Costs<Name> | ((...args: CostArgs) => number | Costs<Name>) | undefined;
  /** As {@link RateLimitedOptions.key}. */
  key?: string | ((...args: KeyArgs) => string) | undefined;
  /** As {@link RateLimitedOptions.timeoutMs}. */
  timeoutMs?: number | undefined;
  /** As {@link RateLimitedOptions.signal}. */
  signal?: ((...args: SignalArgs) => AbortSignal | undefined) | undefined;
}

/** Arguments that begin with `Read`, and may go on. */
type Leading<Read extends unknown[]> = [...Read, ...unknown[]];

function isKeyed(limiter: LimiterLike): limiter is RateLimiter<string> {
  return (
    typeof (limiter as RateLimiter).adjust === 'function' &&
    Array.isArray((limiter as RateLimiter).limits)
  );
}

/**
 * Checks a constant `cost` when wrapping, so that a wrong one is an error of `rateLimited` naming
 * `cost`, not of every call naming the limiter's `costs.<limit>`. A bucket's capacity may change
 * (`setRate`), so its calls still check the cost against it; a keyed limiter's limits are fixed.
 */
function checkConstantCost(cost: number | object, limiter: LimiterLike): void {
  if (!isKeyed(limiter)) {
    if (typeof cost !== 'number') fail('cost', 'a number for a token bucket', cost);
    expectNumber('cost', cost, { min: 0 });
    return;
  }
  const { limits } = limiter;
  if (typeof cost === 'number') {
    // A number is charged on every limit, so it must fit the smallest.
    const capacity = Math.min(...limits.map((l) => l.capacity));
    if (!(cost >= 0 && cost <= capacity)) throw costError('cost', cost, capacity);
    return;
  }
  if (!isPlainObject(cost)) fail('cost', 'an object of numbers by limit name', cost);
  const names = limits.map((l) => l.name);
  for (const [name, value] of Object.entries(cost)) {
    if (value === undefined) continue;
    const limit = limits.find((l) => l.name === name);
    if (limit === undefined) unknownLimit('cost', name, names);
    if (!(typeof value === 'number' && value >= 0 && value <= limit.capacity)) {
      throw costError(`cost.${name}`, value, limit.capacity);
    }
  }
}

function makeAcquire<Args extends unknown[]>(
  limiter: LimiterLike,
  options: RateLimitedOptions<Args> = {},
): (args: Args) => Promise<void> {
  if (typeof limiter !== 'object' || limiter === null || typeof limiter.acquire !== 'function') {
    fail('limiter', 'a token bucket or a rate limiter', limiter);
  }
  const o = expectOptions(undefined, options, ['cost', 'key', 'timeoutMs', 'signal']);
  const cost = o.cost as RateLimitedOptions<Args>['cost'];
  if (
    cost !== undefined &&
    typeof cost !== 'number' &&
    typeof cost !== 'function' &&
    (typeof cost !== 'object' || cost === null)
  ) {
    fail('cost', 'a number, an object or a function', cost);
  }
  if (cost !== undefined && typeof cost !== 'function') checkConstantCost(cost, limiter);
  const timeoutMs = optionalTimeout('timeoutMs', o.timeoutMs);
  const signal = optionalFunction<(...args: Args) => AbortSignal | undefined>('signal', o.signal);
  const keyed = isKeyed(limiter);
  const key = o.key as RateLimitedOptions<Args>['key'];
  if (keyed && typeof key !== 'string' && typeof key !== 'function') {
    fail('key', 'a string or a function for a keyed rate limiter', key);
  }
  // A bucket has one budget for all callers: a `key` given to it would be silently ignored.
  if (!keyed && key !== undefined) {
    fail('key', 'left out for a token bucket (it is for a keyed rate limiter)', key);
  }
  return (args) => {
    const c = typeof cost === 'function' ? cost(...args) : cost;
    const acquireOptions: AcquireOptions = {};
    if (timeoutMs !== undefined) acquireOptions.timeoutMs = timeoutMs;
    const s = signal?.(...args);
    if (s !== undefined) acquireOptions.signal = s;
    if (keyed) {
      const k = typeof key === 'function' ? key(...args) : (key as string);
      const costs =
        c === undefined
          ? undefined
          : typeof c === 'number'
            ? Object.fromEntries(limiter.limits.map((l) => [l.name, c]))
            : c;
      return limiter.acquire(k, costs, acquireOptions);
    }
    if (typeof c === 'object') {
      return Promise.reject(new TypeError(expected('cost', 'a number for a token bucket', c)));
    }
    return (limiter as BucketLike).acquire(c ?? 1, acquireOptions);
  };
}

/**
 * Wraps `fn` so that every call first acquires from `limiter` (waiting in its FIFO queue), then
 * calls `fn` with the same `this` and arguments. The wrapper has `fn`'s signature, returning a
 * promise. Used with only a limiter, it is a standard (TC39) method decorator instead:
 * `@rateLimited(limiter)`.
 *
 * @throws TypeError when `limiter` or an option is invalid.
 * @example
 * ```ts
 * const complete = rateLimited(callModel, bucket, { cost: 1 });
 * class Client {
 *   @rateLimited(bucket, { timeoutMs: 5_000 })
 *   async complete(prompt: string) { ... }
 * }
 * ```
 */
export function rateLimited<
  Args extends unknown[],
  Result,
  This = unknown,
  Name extends string = string,
>(
  fn: (this: This, ...args: Args) => Result,
  limiter: LimiterLike<Name>,
  options?: RateLimitedOptions<Args, Name>,
): (this: This, ...args: Args) => Promise<Awaited<Result>>;
/**
 * The standard (TC39) method decorator form of {@link rateLimited}: `@rateLimited(limiter)`. The
 * options are written before the method is known, so their functions' parameters are annotated
 * (`key: (user: string) => user`), or `unknown`; they type the method's leading arguments. Each
 * function reads as many as it needs (`cost: () => 1` beside `key: (user: string) => user`), each
 * typed on its own, since one list inferred from all of them is the shortest one's.
 *
 * @throws TypeError when `limiter` or an option is invalid, or when it decorates no method.
 * @example
 * ```ts
 * class Client {
 *   @rateLimited(limiter, { key: (user: string) => user, cost: { requests: 1 } })
 *   async complete(user: string, prompt: string) { ... }
 * }
 * ```
 */
export function rateLimited<
  KeyArgs extends unknown[] = unknown[],
  CostArgs extends unknown[] = unknown[],
  SignalArgs extends unknown[] = unknown[],
  Name extends string = string,
>(
  limiter: LimiterLike<Name>,
  options?: RateLimitedMethodOptions<KeyArgs, CostArgs, SignalArgs, Name>,
): <This, Args extends Leading<KeyArgs> & Leading<CostArgs> & Leading<SignalArgs>, Result>(
  method: (this: This, ...args: Args) => Promise<Result>,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Promise<Result>>,
) => (this: This, ...args: Args) => Promise<Result>;
export function rateLimited(
  fnOrLimiter: ((...args: unknown[]) => unknown) | LimiterLike,
  limiterOrOptions?: LimiterLike | RateLimitedOptions<unknown[]>,
  maybeOptions?: RateLimitedOptions<unknown[]>,
): unknown {
  if (typeof fnOrLimiter === 'function') {
    const fn = fnOrLimiter;
    const acquire = makeAcquire(limiterOrOptions as LimiterLike, maybeOptions);
    const wrapped = async function (this: unknown, ...args: unknown[]) {
      await acquire(args);
      return fn.apply(this, args);
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
    return wrapped;
  }
  const acquire = makeAcquire(
    fnOrLimiter,
    limiterOrOptions as RateLimitedOptions<unknown[]> | undefined,
  );
  return (
    method: (...args: unknown[]) => Promise<unknown>,
    context: ClassMethodDecoratorContext,
  ) => {
    if (context?.kind !== 'method') {
      throw new TypeError(
        `Expected @rateLimited to decorate a method, got a ${String(context?.kind)}`,
      );
    }
    return async function (this: unknown, ...args: unknown[]) {
      await acquire(args);
      return method.apply(this, args);
    };
  };
}
