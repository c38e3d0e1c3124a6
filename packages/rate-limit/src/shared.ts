import { fail, sharedInstance } from '@x/internal';
import {
  type ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  checkConcurrencyLimiterOptions,
  createConcurrencyLimiter,
} from './concurrency-limiter';
import { checkLimiterOptions, createRateLimiter } from './rate-limiter';
import type { RateLimiter, RateLimiterOptions } from './rate-limiter-api';

/**
 * The first ask of a name creates the limiter, from options that must hold what has no default:
 * without them, say that the options are missing rather than that `limits` is `undefined`. Called
 * only once the name has been checked, so it may be shown.
 */
function expectFirstOptions(options: unknown, name: string, kind: string, needs: string): void {
  if (options === undefined) {
    fail(
      'options',
      `an object with ${needs} (the first ask for the shared ${kind} "${name}" creates it)`,
      options,
    );
  }
}

/**
 * The process-wide rate limiter named `name`, created on first ask with `options`: every caller
 * that asks for the same name, in any copy of this package in the process, shares one quota.
 * Asked with options, they must equal the ones it was created with (a `RangeError` names the
 * first that differs; a store is compared by identity); asked without, it is used as it is.
 * `close()` closes it for everyone and frees the name: the next ask creates a fresh one.
 *
 * A name is a label (`'openai-org'`), never derived from a key: a name that holds a URL with a
 * password or looks like a key is a `RangeError`.
 *
 * @throws TypeError / RangeError for an invalid name or option, or options that conflict.
 * @example
 * ```ts
 * const quota = sharedRateLimiter('openai', { limits: { requests: { ratePerSecond: 60 } } });
 * await sharedRateLimiter('openai').acquire('org-a'); // the same limiter, anywhere in the process
 * ```
 */
export function sharedRateLimiter<Name extends string = string>(
  name: string,
  options?: RateLimiterOptions<Name>,
): RateLimiter<Name> {
  return sharedInstance({
    pkg: 'rate-limit',
    kind: 'rate-limiter',
    label: 'shared rate limiter',
    name,
    options,
    create: (o) => {
      expectFirstOptions(options, name, 'rate limiter', '`limits`');
      return createRateLimiter(o as RateLimiterOptions<Name>);
    },
    check: checkLimiterOptions,
    closes: true,
  });
}

/**
 * The process-wide concurrency limiter named `name`, created on first ask with `options` (which
 * the first ask must give: `maxConcurrent` has no default). The same rules as
 * {@link sharedRateLimiter}: one instance per name per process, conflicting options are a
 * `RangeError`, `close()` frees the name.
 *
 * @example
 * ```ts
 * const slots = sharedConcurrencyLimiter('ollama-gpu0', { maxConcurrent: 4 });
 * await sharedConcurrencyLimiter('ollama-gpu0').run(() => callOllama());
 * ```
 */
export function sharedConcurrencyLimiter(
  name: string,
  options?: ConcurrencyLimiterOptions,
): ConcurrencyLimiter {
  return sharedInstance({
    pkg: 'rate-limit',
    kind: 'concurrency-limiter',
    label: 'shared concurrency limiter',
    name,
    options,
    create: (o) => {
      expectFirstOptions(options, name, 'concurrency limiter', '`maxConcurrent`');
      return createConcurrencyLimiter(o as ConcurrencyLimiterOptions);
    },
    check: checkConcurrencyLimiterOptions,
    closes: true,
  });
}
