// Real clock: the server holds each answer a few real milliseconds so that calls overlap.

import { createConcurrencyLimiter } from '@x/rate-limit';
import { describe, expect, it } from 'vitest';
import { completion, type Handler, streamOf } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import { isLocalLimitError, isOpenAIError } from './errors';
import { createOpenAIProvider } from './provider';

/** Answers (buffered or streamed) after a few ms, counting the requests in flight at the server. */
function counting(): { handler: Handler; peak: () => number } {
  let inFlight = 0;
  let peak = 0;
  const handler: Handler = async (_req, res, received) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on('close', () => inFlight--);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (received.json?.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of streamOf('Hello', ' there')) res.write(event);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion({ content: 'Hello there' })));
    }
  };
  return { handler, peak: () => peak };
}

describe('createOpenAIProvider({ maxConcurrent })', () => {
  it('keeps the server at 3 requests in flight for 30 concurrent calls', async () => {
    const server = counting();
    const { provider } = await setup(
      { '/chat/completions': server.handler },
      { maxConcurrent: 3, rateLimit: false, cache: false },
    );
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? provider.complete(ask(`question ${i}`))
          : collect(provider.stream(ask(`question ${i}`))),
      ),
    );
    expect(server.peak()).toBe(3);
    expect(provider.concurrencyLimiter?.stats()).toMatchObject({
      active: 0,
      queued: 0,
      admitted: 30,
      released: 30,
    });
  });

  it('rejects a call past the queue timeout with a LocalLimitError the one predicate knows', async () => {
    const slots = createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 0 });
    const hold = slots.tryAcquire();
    const { provider } = await setup({}, { maxConcurrent: slots });
    const error = await provider.complete(ask('no slot')).catch((e: unknown) => e);
    expect(isOpenAIError(error)).toBe(true);
    expect(isLocalLimitError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'local-limit', retryable: true });
    hold?.();
  });

  it('throws the house argument error for a bad value', () => {
    expect(() => createOpenAIProvider({ maxConcurrent: -1, apiKey: 'k' })).toThrow(
      new RangeError('Expected `maxConcurrent` to be an integer >= 1, got `-1` (number)'),
    );
  });
});
