import type { ServerResponse } from 'node:http';
import type { RateLimitFault } from '../faults';
import type { RequestFaults } from './fault-picker';
import type { Life } from './life';
import {
  INSUFFICIENT_QUOTA_TEXT,
  rateLimitHeaders,
  rateLimitMessage,
  retryHeaders,
} from './rate-limit';
import { serveFixture } from './replay';
import type { Responder } from './responder';

// The faults that decide a request before its endpoint runs, in this order: refuse, latency,
// replay, status, rate-limit. The stream faults (stall, split, error-line, ...) apply later,
// chunk by chunk.

const STATUS_TEXT: Record<number, string> = {
  500: 'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
  503: 'server busy, please try again.  maximum pending requests exceeded',
  502: 'bad gateway',
  429: 'too many requests',
  404: 'not found',
  400: 'bad request',
};

/** The 429 of a `rate-limit` fault: the headers of an exhausted limit and OpenAI's body. */
async function sendRateLimited(
  fault: RateLimitFault,
  out: Responder,
  res: ServerResponse,
  model: string | undefined,
): Promise<void> {
  const retryAfterMs = fault.retryAfterMs ?? 1000;
  const exhausted = fault.limit ?? 'requests';
  const limitRequests = fault.limitRequests ?? 60;
  const limitTokens = fault.limitTokens ?? 150_000;
  const view = (kind: 'requests' | 'tokens', limit: number) =>
    kind === exhausted
      ? { limit, remaining: 0, resetMs: retryAfterMs }
      : { limit, remaining: limit, resetMs: 0 };
  const headers = {
    ...rateLimitHeaders(view('requests', limitRequests), view('tokens', limitTokens)),
    ...retryHeaders(retryAfterMs),
  };
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const quota = fault.code === 'insufficient_quota';
  const message =
    fault.message ??
    (quota
      ? INSUFFICIENT_QUOTA_TEXT
      : rateLimitMessage({
          kind: exhausted,
          model,
          limit: exhausted === 'requests' ? limitRequests : limitTokens,
          used: exhausted === 'requests' ? limitRequests : limitTokens,
          windowMs: 60_000,
          retryAfterMs,
        }));
  const kind = quota
    ? { type: 'insufficient_quota', code: 'insufficient_quota' }
    : { type: exhausted, code: 'rate_limit_exceeded' };
  await out.sendError(429, message, kind);
}

/** Applies the leading faults; true when one of them answered (or ended) the request. */
export async function applyLeadingFaults(
  faults: RequestFaults,
  out: Responder,
  res: ServerResponse,
  life: Life,
  refuse: (ms: number) => void,
  model: string | undefined,
): Promise<boolean> {
  if (faults.refuse !== undefined) {
    out.destroy();
    refuse(faults.refuse.ms);
    return true;
  }
  if (faults.latencyMs > 0) {
    await life.sleep(faults.latencyMs);
    if (life.aborted) return true;
  }
  if (faults.replay !== undefined) {
    await serveFixture(faults.replay, out, res);
    return true;
  }
  const s = faults.status;
  if (s !== undefined) {
    const answer = out.dialect.error(
      s.status,
      s.error ?? STATUS_TEXT[s.status] ?? `status ${s.status}`,
    );
    await out.send(s.status, s.body ?? answer.body, s.contentType ?? answer.type);
    return true;
  }
  if (faults.rateLimit === undefined) return false;
  await sendRateLimited(faults.rateLimit, out, res, model);
  return true;
}
