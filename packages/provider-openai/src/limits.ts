import type { ExchangeAnswered } from '@x/provider-core';
import { parseRateLimitHeaders, type RateLimiter } from '@x/rate-limit';
import { rateLimitReason } from './rate-limit-reason';
import type { ServerLimits } from './types';

/**
 * Longest pause a server's headers can impose on the limiter. A reset further away is cut to
 * this, and a server that still refuses says so again with its next 429: an absurd header cannot
 * block the provider for good.
 */
export const MAX_PAUSE_MS = 5 * 60_000;

/** The pause when the server says nothing is left but not when that changes. */
const UNKNOWN_RESET_MS = 1_000;

/**
 * The headers worth parsing: most answers carry none, and then nothing is parsed. With the counts
 * some servers suffix with their window: Mistral's `-req-minute` and `-tokens-minute`, Cerebras'
 * `-requests-day` and `-tokens-minute` (`parseRateLimitHeaders` reads the same names).
 */
const LIMIT_HEADERS = [
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-remaining',
  'ratelimit-remaining',
  'retry-after',
  'retry-after-ms',
  'x-ratelimit-remaining-req-minute',
  'x-ratelimit-remaining-requests-minute',
  'x-ratelimit-remaining-requests-day',
  'x-ratelimit-remaining-tokens-minute',
];

type Headers = Parameters<ExchangeAnswered>[1];

interface Bucket {
  rate: number;
  capacity: number;
}

/**
 * The limits a server states in its answers, applied to the provider's own rate limiter so that a
 * client at its quota rarely sees a 429.
 *
 * An answer's `x-ratelimit-remaining-requests` is what the server still admits after it; the
 * requests sent since count against it, and so does each one sent from then on: when that budget
 * is spent, the limiter is paused (put in debt) until `x-ratelimit-reset-requests` (`1s`, `6m0s`,
 * `20ms`), before the next request leaves rather than after its 429 comes back; meanwhile its level
 * is kept at most the budget, so calls admitted together cannot outnumber it. A 503 with
 * `retry-after-ms` / `retry-after`, or `x-ratelimit-remaining-tokens: 0`, pauses it as long; so
 * does a 429's, once its body is read ({@link rateLimited}): a `Request too large` 429 is one
 * request over the tier's whole limit, which the other callers' pace has nothing to do with. A
 * 429 whose body is lost pauses it by its headers alone (what arrived of it tells only a request
 * too large apart), the call still ending with the connection or timeout error of the cut.
 * When the limiter has a `tokens` limit, it is drained to the remaining tokens. The limiter only
 * ever gets stricter: what the server allows beyond the provider's own rate is not taken. A pause
 * is the limiter's `pauseFor(key)`; a lowered level is read from `waitTimeMs()` and moved with
 * `adjust()`.
 */
export class LimitLearner {
  readonly #limiter: RateLimiter;
  readonly #key: string;
  readonly #endpoints: ReadonlySet<string>;
  readonly #requests: Bucket | undefined;
  readonly #tokens: Bucket | undefined;
  /** Attempts sent to a limited endpoint (numbers the answers). */
  #sent = 0;
  /** Requests the server still admits, net of those sent since it said so; undefined: unknown. */
  #budget: number | undefined;
  /** When the server's request window resets (`performance.now()` time). */
  #resetAt = 0;
  /** Until when the limiter is paused (`performance.now()` time). */
  #pausedUntil = 0;
  #state: ServerLimits | undefined;
  #adjustments = 0;
  /** Adjustments run one after the other: each reads the level the previous one left. */
  #queue: Promise<void> = Promise.resolve();

  constructor(init: { limiter: RateLimiter; key: string; endpoints: readonly string[] }) {
    this.#limiter = init.limiter;
    this.#key = init.key;
    this.#endpoints = new Set(init.endpoints);
    const bucket = (name: string): Bucket | undefined => {
      const limit = init.limiter.limits.find((l) => l.name === name);
      return limit === undefined
        ? undefined
        : { rate: limit.ratePerSecond, capacity: limit.capacity };
    };
    this.#requests = bucket('requests');
    this.#tokens = bucket('tokens');
  }

  /** What the server said last, or undefined before any rate-limit header arrived. */
  snapshot(): ServerLimits | undefined {
    if (this.#state === undefined) return undefined;
    const left = this.#pausedUntil - performance.now();
    return {
      ...this.#state,
      pausedUntil: left > 0 ? Date.now() + left : undefined,
      adjustments: this.#adjustments,
    };
  }

  /** The provider's exchange observer: spends the budget as a request leaves, learns from its answer. */
  readonly observe = (endpoint: string): ExchangeAnswered | undefined => {
    if (!this.#endpoints.has(endpoint)) return undefined;
    const sequence = ++this.#sent;
    if (this.#budget !== undefined) {
      const now = performance.now();
      // A new window: the server's count starts over, unknown until its next answer.
      if (now >= this.#resetAt) this.#budget = undefined;
      else if (--this.#budget < 1) this.#pause(this.#resetAt - now);
    }
    return (status, headers) => {
      this.#learn(sequence, status, headers);
      // A 429's pause is decided once its body says why (rateLimited()); a body that never
      // arrives whole decides nothing there, so the headers decide it here.
      return status === 429
        ? (arrived: string) => this.#rateLimitedUnread(endpoint, headers, arrived)
        : undefined;
    };
  };

  /**
   * A 429 whose body was lost (the connection broke or ended before its length, its deadline
   * passed): every caller waits its `retry-after`, as for a 429 read whole, unless what arrived
   * already says it is a request too large for the tier (which the pace has nothing to do with).
   * Its `x-ratelimit-*` counts and resets were applied by {@link #learn} when its headers came.
   */
  #rateLimitedUnread(endpoint: string, headers: Headers, arrived: string): void {
    if (rateLimitReason({ endpoint, serverMessage: arrived }).requestTooLarge) return;
    this.rateLimited(endpoint, parseRateLimitHeaders(headers).retryAfterMs);
  }

  #learn(sequence: number, status: number, headers: Headers): void {
    if (!LIMIT_HEADERS.some((name) => headers[name] !== undefined)) return;
    const info = parseRateLimitHeaders(headers);
    const remaining = info.remainingRequests ?? info.remaining;
    const resetMs = clamp(info.resetRequestsMs ?? info.resetMs);
    const now = performance.now();
    if (remaining !== undefined) {
      this.#budget = remaining - (this.#sent - sequence);
      this.#resetAt = now + (resetMs ?? UNKNOWN_RESET_MS);
      if (this.#budget < 1) this.#pause(this.#resetAt - now);
      // Calls admitted together must not outnumber the budget: they leave before any is counted.
      else if (this.#requests !== undefined && this.#budget < this.#requests.capacity) {
        this.#lower('requests', this.#budget);
      }
    }
    if (status === 503 && info.retryAfterMs !== undefined) {
      this.#pause(clamp(info.retryAfterMs)!);
    }
    if (info.remainingTokens !== undefined && info.remainingTokens < 1) {
      this.#pause(clamp(info.resetTokensMs) ?? UNKNOWN_RESET_MS);
    }
    const tokens = this.#tokens;
    if (
      tokens !== undefined &&
      info.remainingTokens !== undefined &&
      info.remainingTokens < tokens.capacity
    ) {
      this.#lower('tokens', info.remainingTokens);
    }
    const wall = Date.now();
    const at = (ms: number | undefined) => (ms === undefined ? undefined : wall + ms);
    this.#state = {
      limitRequests: info.limitRequests ?? info.limit,
      remainingRequests: remaining,
      resetRequestsAt: at(resetMs),
      limitTokens: info.limitTokens,
      remainingTokens: info.remainingTokens,
      resetTokensAt: at(clamp(info.resetTokensMs)),
      pausedUntil: undefined,
      adjustments: this.#adjustments,
      observedAt: wall,
    };
  }

  /**
   * A 429 its body says is about the pace (a request too large for the tier is not, and never
   * comes here): every caller waits its `retry-after`, not only the one retried.
   */
  rateLimited(endpoint: string, retryAfterMs: number | undefined): void {
    if (this.#endpoints.has(endpoint) && retryAfterMs !== undefined) {
      this.#pause(clamp(retryAfterMs)!);
    }
  }

  /** Holds requests back for `ms`: the next one is admitted when it has passed. */
  #pause(ms: number): void {
    const until = performance.now() + ms;
    if (ms <= 0 || until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#adjustments++;
    try {
      this.#limiter.pauseFor(this.#key, Math.ceil(ms));
    } catch {
      // A closed limiter: the server's 429s remain the guard.
    }
  }

  /** Lowers one limit's level to `target` (never raises it). */
  #lower(limit: 'requests' | 'tokens', target: number): void {
    const bucket = (limit === 'requests' ? this.#requests : this.#tokens)!;
    const limiter = this.#limiter;
    this.#queue = this.#queue
      .then(async () => {
        // The wait for a full bucket's cost is (capacity + queued - level) / rate; the queue
        // ahead is counted in requests (one per waiter), not in tokens.
        const wait = await limiter.waitTimeMs(this.#key, { [limit]: bucket.capacity });
        const queued = limit === 'requests' ? limiter.stats().queued : 0;
        const level = bucket.capacity + queued - (wait * bucket.rate) / 1000;
        if (level - target <= 1e-6) return;
        this.#adjustments++;
        await limiter.adjust(this.#key, { [limit]: level - target });
      })
      .catch(() => {
        // A closed limiter, or a shared one that refuses: the server's 429s remain the guard.
      });
  }
}

/** A server's duration, capped at {@link MAX_PAUSE_MS}. */
function clamp(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.min(Math.max(0, ms), MAX_PAUSE_MS);
}
