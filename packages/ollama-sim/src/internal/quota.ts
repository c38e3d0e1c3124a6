import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  type Exhausted,
  type LimitKind,
  type LimitView,
  rateLimitHeaders,
  rateLimitMessage,
  retryHeaders,
} from './rate-limit';

// The quota mode: N requests and/or M tokens per window per API key, as a hosted
// OpenAI-compatible service enforces them. Each key has a fixed window that starts with its first
// request (and again with the first request after it ended). Time is Date.now() read at use, so
// fake timers move windows; nothing runs while idle.

/** The resolved `quota` option. */
export interface QuotaSpec {
  readonly requests: number | undefined;
  readonly tokens: number | undefined;
  readonly windowMs: number;
}

/** Distinct keys tracked; beyond them (a scanner, a leak of keys) the rest share `other`. */
const MAX_KEYS = 10_000;
const ANONYMOUS = 'anonymous';
const OTHER = 'other';

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

/** A request admitted under the quota: answers charge their tokens and carry the headers. */
export interface QuotaTicket {
  /** Counts the answer's tokens (prompt + completion; an embedding's input) against its window. */
  charge(tokens: number): void;
  /** Sets the `x-ratelimit-*` headers from the key's quota as it stands now. */
  head(res: ServerResponse): void;
}

/** A request over the quota: the 429's headers and what its error says. */
export interface QuotaRejection {
  readonly headers: Record<string, string>;
  readonly message: string;
  readonly kind: LimitKind;
}

/**
 * The key's id: a short sha256 of the Bearer token (never the token itself), or `anonymous` for a
 * request without one.
 */
function keyId(authorization: string | undefined): string {
  const match = authorization === undefined ? null : /^Bearer\s+(\S.*)$/i.exec(authorization);
  if (match === null) return ANONYMOUS;
  return `key_${createHash('sha256').update(match[1]!.trim()).digest('hex').slice(0, 12)}`;
}

export class Quota {
  private readonly windows = new Map<string, Window>();
  private readonly counts = new Map<string, { admitted: number; rejected: number }>();
  /**
   * No window ends before this (the earliest end the last sweep left): until then a sweep would
   * find nothing to drop. Windows made since end later still, as they start later.
   */
  private sweepAfter = 0;

  constructor(private readonly spec: QuotaSpec) {}

  /** Admitted and rejected requests per key id (a copy, for `stats().quota`). */
  stats(): Record<string, { admitted: number; rejected: number }> {
    const out: Record<string, { admitted: number; rejected: number }> = {};
    for (const [id, c] of this.counts) out[id] = { admitted: c.admitted, rejected: c.rejected };
    return out;
  }

  /** Admits a request of `authorization`'s key (a ticket) or refuses it (a 429 to send). */
  admit(
    authorization: string | undefined,
    model: string | undefined,
  ): { ticket: QuotaTicket } | { rejected: QuotaRejection } {
    const now = Date.now();
    const id = this.track(keyId(authorization), now);
    let counts = this.counts.get(id);
    if (counts === undefined) {
      counts = { admitted: 0, rejected: 0 };
      this.counts.set(id, counts);
    }
    const window = this.current(id, now);
    const { requests, tokens, windowMs } = this.spec;
    let over: LimitKind | undefined;
    if (requests !== undefined && window.requests >= requests) over = 'requests';
    else if (tokens !== undefined && window.tokens >= tokens) over = 'tokens';
    if (over !== undefined) {
      counts.rejected++;
      const retryAfterMs = window.start + windowMs - now;
      const exhausted: Exhausted = {
        kind: over,
        model,
        limit: (over === 'requests' ? requests : tokens)!,
        used: over === 'requests' ? window.requests : window.tokens,
        windowMs,
        retryAfterMs,
      };
      return {
        rejected: {
          headers: { ...this.headers(window, now), ...retryHeaders(retryAfterMs) },
          message: rateLimitMessage(exhausted),
          kind: over,
        },
      };
    }
    counts.admitted++;
    window.requests++;
    return {
      ticket: {
        charge: (n) => {
          window.tokens += n;
        },
        head: (res) => {
          const at = Date.now();
          const live = this.windows.get(id);
          const view = live !== undefined && at < live.start + windowMs ? live : undefined;
          for (const [name, value] of Object.entries(
            this.headers(view ?? { start: at, requests: 0, tokens: 0 }, at),
          ))
            res.setHeader(name, value);
        },
      },
    };
  }

  private headers(window: Window, now: number): Record<string, string> {
    const { requests, tokens, windowMs } = this.spec;
    const resetMs = window.start + windowMs - now;
    const view = (limit: number | undefined, used: number): LimitView | undefined =>
      limit === undefined ? undefined : { limit, remaining: limit - used, resetMs };
    return rateLimitHeaders(view(requests, window.requests), view(tokens, window.tokens));
  }

  /** The key's window now: the running one, or a new one starting now. */
  private current(id: string, now: number): Window {
    const window = this.windows.get(id);
    if (window !== undefined && now < window.start + this.spec.windowMs) return window;
    const fresh = { start: now, requests: 0, tokens: 0 };
    this.windows.set(id, fresh);
    return fresh;
  }

  /** The id to account a key under: itself while there is room, else the shared `other`. */
  private track(id: string, now: number): string {
    if (this.windows.has(id)) return id;
    // Swept only once a window may have ended: each new key past the cap scanned all 10,000 before,
    // and a flood of new keys went about three times slower for it.
    if (this.windows.size >= MAX_KEYS && now >= this.sweepAfter) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const [key, window] of this.windows) {
        const end = window.start + this.spec.windowMs;
        if (now >= end) this.windows.delete(key);
        else if (end < earliest) earliest = end;
      }
      // A sweep that emptied the table leaves no earliest end: a window made from now on ends at
      // `now + windowMs` at the soonest.
      this.sweepAfter = Math.min(earliest, now + this.spec.windowMs);
    }
    const full =
      this.windows.size >= MAX_KEYS || (this.counts.size >= MAX_KEYS && !this.counts.has(id));
    return full ? OTHER : id;
  }
}
