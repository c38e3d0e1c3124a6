import { expectKnownKeys, expectSharedName, fail, isPlainObject } from '@x/internal';

/** Which pieces a provider takes from the process-wide registries, and under which names. */
export interface ShareOptions {
  /** The name of a `sharedBreaker()`: one outage state. */
  breaker?: string | undefined;
  /** The name of a `sharedRateLimiter()`: one quota (charged under this name as its key). */
  rateLimit?: string | undefined;
  /** The name of a `sharedConcurrencyLimiter()` (with `maxConcurrent` a number): one set of slots. */
  maxConcurrent?: string | undefined;
  /** The name of a `sharedCache()`: one cache. */
  cache?: string | undefined;
}

const SHARE_KEYS = ['breaker', 'rateLimit', 'maxConcurrent', 'cache'] as const;

/**
 * `share`: a name for the server's state (the breaker, the rate limiter and the concurrency
 * limiter), or a name per piece. A name is a label, checked to hold no credential: it shows in
 * events and logs.
 */
export function resolveShare(value: unknown): ShareOptions {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    const name = expectSharedName(value, 'share');
    return { breaker: name, rateLimit: name, maxConcurrent: name };
  }
  if (!isPlainObject(value)) {
    fail(
      'share',
      'a name, or an object of names `{ breaker, rateLimit, maxConcurrent, cache }`',
      value,
    );
  }
  expectKnownKeys('share', value, SHARE_KEYS);
  const out: ShareOptions = {};
  for (const key of SHARE_KEYS) {
    if (value[key] !== undefined) out[key] = expectSharedName(value[key], `share.${key}`);
  }
  return out;
}
