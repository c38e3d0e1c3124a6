// OpenAI-style rate-limit answers: the `x-ratelimit-*` headers (resets written as Go durations,
// `1s`, `6m0s`, `20ms`, `3.89s`), `retry-after` in whole seconds and `retry-after-ms`, and the
// 429 error bodies OpenAI sends when a limit or the billing quota is exhausted. Shared by the
// `rate-limit` fault and the quota mode.

/** A duration in ms as Go's time.Duration prints it, to the millisecond (rounded up). */
export function goDurationMs(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const rest = total % 60_000;
  const fraction = rest % 1000;
  const seconds =
    fraction === 0
      ? `${Math.floor(rest / 1000)}s`
      : `${Math.floor(rest / 1000)}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/** One limit as the headers report it. */
export interface LimitView {
  readonly limit: number;
  readonly remaining: number;
  /** Time until the limit is back to `limit`, in ms. */
  readonly resetMs: number;
}

/** The `x-ratelimit-*` headers of the limits that exist. */
export function rateLimitHeaders(
  requests: LimitView | undefined,
  tokens: LimitView | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (requests !== undefined) {
    out['x-ratelimit-limit-requests'] = String(requests.limit);
    out['x-ratelimit-remaining-requests'] = String(Math.max(0, requests.remaining));
    out['x-ratelimit-reset-requests'] = goDurationMs(requests.resetMs);
  }
  if (tokens !== undefined) {
    out['x-ratelimit-limit-tokens'] = String(tokens.limit);
    out['x-ratelimit-remaining-tokens'] = String(Math.max(0, tokens.remaining));
    out['x-ratelimit-reset-tokens'] = goDurationMs(tokens.resetMs);
  }
  return out;
}

/** `retry-after` (whole seconds, rounded up) and `retry-after-ms`. */
export function retryHeaders(ms: number): Record<string, string> {
  const wait = Math.max(0, Math.ceil(ms));
  return { 'retry-after': String(Math.ceil(wait / 1000)), 'retry-after-ms': String(wait) };
}

export type LimitKind = 'requests' | 'tokens';

/** "requests per min (RPM)" for a one-minute window, "tokens per 1h0m0s" otherwise. */
function perWindow(kind: LimitKind, windowMs: number): string {
  const short = kind === 'requests' ? 'R' : 'T';
  if (windowMs === 60_000) return `${kind} per min (${short}PM)`;
  if (windowMs === 86_400_000) return `${kind} per day (${short}PD)`;
  return `${kind} per ${goDurationMs(windowMs)}`;
}

/** What a rate-limit 429 says about the exhausted limit. */
export interface Exhausted {
  readonly kind: LimitKind;
  readonly model: string | undefined;
  readonly limit: number;
  readonly used: number;
  readonly windowMs: number;
  readonly retryAfterMs: number;
}

/** OpenAI's message for an exhausted limit (clients parse its "Please try again in ..."). */
export function rateLimitMessage(e: Exhausted): string {
  const requested = e.kind === 'requests' ? ', Requested 1' : '';
  return (
    `Rate limit reached for ${e.model || 'the model'} in organization org-ollama-sim on ` +
    `${perWindow(e.kind, e.windowMs)}: Limit ${e.limit}, Used ${e.used}${requested}. ` +
    `Please try again in ${goDurationMs(e.retryAfterMs)}. ` +
    'Visit https://platform.openai.com/account/rate-limits to learn more.'
  );
}

/** OpenAI's message when the account's credit is used up (a 429 not worth retrying). */
export const INSUFFICIENT_QUOTA_TEXT =
  'You exceeded your current quota, please check your plan and billing details. For more ' +
  'information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
