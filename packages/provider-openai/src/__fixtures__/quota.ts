// A chat endpoint with a quota, as OpenAI-style servers state it: N requests per fixed window,
// x-ratelimit-* headers on every answer, 429 with retry-after-ms once the window is spent.
import { completion, errorBody, type Handler } from './server';

/** A duration the way OpenAI writes its resets: `20ms`, `1.5s`, `6m0s`. */
export function openAIDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  return `${Math.floor(seconds / 60)}m${Number((seconds % 60).toFixed(3))}s`;
}

export interface QuotaLog {
  /** Each answer: when (server clock) and its status. */
  answers: Array<{ at: number; status: number }>;
}

/** A handler admitting `limit` requests per `windowMs` (windows start at 0 of `Date.now()`). */
export function quotaHandler(limit: number, windowMs: number, log: QuotaLog): Handler {
  let window = -1;
  let used = 0;
  return (_req, res) => {
    const now = Date.now();
    const current = Math.floor(now / windowMs);
    if (current !== window) {
      window = current;
      used = 0;
    }
    const resetMs = (current + 1) * windowMs - now;
    const headers = {
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': String(limit),
      'x-ratelimit-reset-requests': openAIDuration(resetMs),
    };
    if (used >= limit) {
      log.answers.push({ at: now, status: 429 });
      res.writeHead(429, {
        ...headers,
        'x-ratelimit-remaining-requests': '0',
        'retry-after-ms': String(resetMs),
      });
      res.end(errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'));
      return;
    }
    used++;
    log.answers.push({ at: now, status: 200 });
    res.writeHead(200, { ...headers, 'x-ratelimit-remaining-requests': String(limit - used) });
    res.end(JSON.stringify(completion({ content: 'ok' })));
  };
}
