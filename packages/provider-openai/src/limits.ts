import type { ExchangeAnswered } from '@x/provider-core';
import { parseRateLimitHeaders, type RateLimiter } from '@x/rate-limit';
import type { ServerLimits } from './types';

/**
 * Longest pause a server's headers can impose on the limiter. A reset further away is cut to
 * this, and a server that still refuses says so again with its next 429; an absurd header cannot
 * block the provider for good.
 */
export const MAX_PAUSE_MS = 5 * 60_000;

/** The headers worth parsing: most answers carry none, and then nothing is parsed. */
const LIMIT_HEADERS = [
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-remaining',
  'ratelimit-remaining',
  'retry-after',
  'retry-after-ms',
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
 * OpenAI-style `x-ratelimit-remaining-requests` says how many requests the server still admits
 * after the one answered; the requests sent since are spent from it too, so the limiter is
 * drained to that number minus those (never refilled: it only ever gets stricter). When nothing is
 * left, or the server answers 429 (or 503) with `retry-after-ms` / `retry-after`, the limiter is
 * put in debt so that its next admission comes when the window resets
 * (`x-ratelimit-reset-requests`, `-tokens`: `1s`, `6m0s`, `20ms`) or the server said to come back.
 * The same for tokens when the limiter has a `tokens` limit. `@x/rate-limit` has no "pause" of a
 * limiter's key, so the level is read from `waitTimeMs()` and moved with `adjust()`.
 */
export class LimitLearner {
  readonly #limiter: RateLimiter | undefined;
  readonly #key: string;
  readonly #endpoints: ReadonlySet<string>;
  readonly #requests: Bucket | undefined;
  readonly #tokens: Bucket | undefined;
  /** Attempts sent to a limited endpoint, to count those sent after an answered one. */
  #sent = 0;
  #state: ServerLimits | undefined;
  #adjustments = 0;
  /** Adjustments run one after the other: each reads the level the previous one left. */
  #queue: Promise<void> = Promise.resolve();

  constructor(init: {
    limiter: RateLimiter | undefined;
    key: string;
    endpoints: readonly string[];
  }) {
    this.#limiter = init.limiter;
    this.#key = init.key;
    this.#endpoints = new Set(init.endpoints);
    const bucket = (name: string): Bucket | undefined => {
      const limit = init.limiter?.limits.find((l) => l.name === name);
      return limit === undefined
        ? undefined
        : { rate: limit.ratePerSecond, capacity: limit.capacity };
    };
    this.#requests = bucket('requests');
    this.#tokens = bucket('tokens');
  }

  /** What the server said last, or undefined before any rate-limit header arrived. */
  snapshot(): ServerLimits | undefined {
    return this.#state === undefined
      ? undefined
      : { ...this.#state, adjustments: this.#adjustments };
  }

  /** The provider's exchange observer: counts the attempt, then learns from its answer. */
  readonly observe = (endpoint: string): ExchangeAnswered | undefined => {
    if (!this.#endpoints.has(endpoint)) return undefined;
    const sequence = ++this.#sent;
    return (status, headers) => this.#learn(sequence, status, headers);
  };

  #learn(sequence: number, status: number, headers: Headers): void {
    if (!LIMIT_HEADERS.some((name) => headers[name] !== undefined)) return;
    const info = parseRateLimitHeaders(headers);
    const now = Date.now();
    const at = (ms: number | undefined) => (ms === undefined ? undefined : now + ms);
    const remaining = info.remainingRequests ?? info.remaining;
    const resetMs = info.resetRequestsMs ?? info.resetMs;
    let pauseMs = 0;
    if ((status === 429 || status === 503) && info.retryAfterMs !== undefined) {
      pauseMs = info.retryAfterMs;
    }
    // What the server still admits, net of the requests sent since this one (already spent there).
    const admits = remaining === undefined ? undefined : remaining - (this.#sent - sequence);
    if (admits !== undefined && admits < 1) pauseMs = Math.max(pauseMs, resetMs ?? 1_000);
    if (info.remainingTokens !== undefined && info.remainingTokens < 1) {
      pauseMs = Math.max(pauseMs, info.resetTokensMs ?? 1_000);
    }
    pauseMs = Math.min(pauseMs, MAX_PAUSE_MS);
    const previous = this.#state?.pausedUntil;
    this.#state = {
      limitRequests: info.limitRequests ?? info.limit,
      remainingRequests: remaining,
      resetRequestsAt: at(resetMs),
      limitTokens: info.limitTokens,
      remainingTokens: info.remainingTokens,
      resetTokensAt: at(info.resetTokensMs),
      pausedUntil:
        pauseMs > 0
          ? Math.max(now + pauseMs, previous ?? 0)
          : previous !== undefined && previous > now
            ? previous
            : undefined,
      adjustments: this.#adjustments,
      observedAt: now,
    };
    const requests = this.#requests;
    const tokens = this.#tokens;
    // A level L admits a cost-1 request after (1 - L) / rate: the pause's level.
    const requestsTarget =
      requests === undefined
        ? undefined
        : pauseMs > 0
          ? 1 - (requests.rate * pauseMs) / 1000
          : admits !== undefined && admits < requests.capacity
            ? admits
            : undefined;
    const tokensTarget =
      tokens !== undefined &&
      info.remainingTokens !== undefined &&
      info.remainingTokens < tokens.capacity
        ? info.remainingTokens
        : undefined;
    if (requestsTarget === undefined && tokensTarget === undefined) return;
    this.#queue = this.#queue
      .then(() => this.#lower(requestsTarget, tokensTarget))
      .catch(() => {
        // A closed or shared limiter that refuses an adjustment: the server's 429s remain.
      });
  }

  /** Lowers the limiter's levels to the targets (never raises them). */
  async #lower(
    requestsTarget: number | undefined,
    tokensTarget: number | undefined,
  ): Promise<void> {
    const limiter = this.#limiter!;
    const deltas: { requests?: number; tokens?: number } = {};
    if (requestsTarget !== undefined) {
      const { rate, capacity } = this.#requests!;
      // `waitTimeMs` of a full bucket's cost counts the queue ahead too (1 request per waiter).
      const wait = await limiter.waitTimeMs(this.#key, { requests: capacity });
      const level = capacity + limiter.stats().queued - (wait * rate) / 1000;
      if (level - requestsTarget > 1e-6) deltas.requests = level - requestsTarget;
    }
    if (tokensTarget !== undefined) {
      const { rate, capacity } = this.#tokens!;
      const wait = await limiter.waitTimeMs(this.#key, { tokens: capacity });
      const level = capacity - (wait * rate) / 1000;
      if (level - tokensTarget > 1e-6) deltas.tokens = level - tokensTarget;
    }
    if (deltas.requests === undefined && deltas.tokens === undefined) return;
    this.#adjustments++;
    await limiter.adjust(this.#key, deltas);
  }
}
