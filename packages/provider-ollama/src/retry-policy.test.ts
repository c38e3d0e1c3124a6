import { describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './__fixtures__/server';
import { createRetryPolicy } from './index';
import { createOllamaProvider } from './provider';

describe('createRetryPolicy', () => {
  it('shares one retry budget between providers', async () => {
    const busy = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"server busy, please try again.  maximum pending requests exceeded"}');
    };
    const servers: TestServer[] = [
      await startServer({ '/api/chat': busy }),
      await startServer({ '/api/chat': busy }),
    ];
    const retry = createRetryPolicy({
      retries: 5,
      baseDelayMs: 0,
      budget: { ratio: 0, reserve: 3 },
    });
    const providers = servers.map((s) =>
      createOllamaProvider({
        baseUrl: s.url,
        retry,
        tokens: false,
        breaker: false,
        rateLimit: false,
      }),
    );
    try {
      const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
      await expect(providers[0]!.complete(request)).rejects.toMatchObject({ statusCode: 503 });
      await expect(providers[1]!.complete(request)).rejects.toMatchObject({ statusCode: 503 });
      // Three retries in all, whichever provider spent them.
      expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(2 + 3);
      expect(retry.stats()).toEqual({ available: 0, denied: 2 });
      expect(providers[1]!.stats().retriesDeniedByBudget).toBe(1);
    } finally {
      await Promise.all(providers.map((p) => p.close()));
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it('throws RangeError for an invalid option', () => {
    expect(() => createRetryPolicy({ retries: -1 })).toThrow(RangeError);
    expect(createRetryPolicy().options.retries).toBe(2);
  });
});
