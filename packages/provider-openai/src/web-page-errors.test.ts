// An error status answered with a web page (a proxy's, a gateway's, another server's) is named by
// its title in the error's message, never quoted: a 429 too, whatever the call (complete, stream,
// embed) and whether it says Retry-After or not. Nor is a page's text read as the API's word on
// the request (a context overflow, an unserved region, a request too large for the tier).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ask, collect, setup } from './__fixtures__/setup';
import {
  isContextOverflowError,
  isOpenAIApiError,
  isRateLimitedError,
  type RateLimitedError,
} from './errors';

const KEY = 'sk-test-key-for-the-local-server';

/** A gateway's 429 page: its title, a style, a script and a paragraph. */
const PAGE_429 = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>429 Too Many Requests</title>
  <style>body { font-family: sans-serif; }</style>
</head>
<body>
  <h1>Too Many Requests</h1>
  <p>You have sent too many requests (key ${KEY}). Please slow down.</p>
  <script>window.retry = 1 < 2;</script>
</body>
</html>
`;

/** A handler answering `status` with `body` as `contentType`, and `headers`. */
function pageAnswer(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'text/html; charset=utf-8',
) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': contentType, ...headers });
    res.end(body);
  };
}

/** Fails if `message` holds markup or the key. */
function expectNoMarkup(message: string): void {
  expect(message).not.toMatch(/[<>]/);
  expect(message).not.toMatch(/DOCTYPE|<\/?(?:html|head|body|title|script|style|h1|p)\b/i);
  expect(message).not.toContain(KEY);
}

const calls = {
  complete: {
    route: '/chat/completions',
    run: (p: Awaited<ReturnType<typeof setup>>['provider']) => p.complete(ask()),
  },
  stream: {
    route: '/chat/completions',
    run: (p: Awaited<ReturnType<typeof setup>>['provider']) => collect(p.stream(ask())),
  },
  embed: {
    route: '/embeddings',
    run: (p: Awaited<ReturnType<typeof setup>>['provider']) =>
      p.embed({ model: 'text-embedding-3-small', input: 'hello' }),
  },
} as const;

describe.each(Object.entries(calls))('%s answered 429 with a web page', (_, call) => {
  it.each([
    ['with Retry-After', { 'retry-after': '60' }, 60_000],
    ['without Retry-After', {}, undefined],
  ] as const)('names the page by its title, %s', async (_, headers, retryAfterMs) => {
    const { provider } = await setup(
      { [call.route]: pageAnswer(429, PAGE_429, headers) },
      { retry: false },
    );
    const error = (await call.run(provider).catch((e: unknown) => e)) as RateLimitedError;
    expect(isRateLimitedError(error)).toBe(true);
    expect(error.message).toContain(
      `${call.route} answered 429 (rate limited) with a web page (text/html; charset=utf-8; its title: "429 Too Many Requests")`,
    );
    expectNoMarkup(error.message);
    expect(error).toMatchObject({ retryable: true, retryAfterMs, requestTooLarge: false });
    if (retryAfterMs !== undefined) {
      // The pace is still heard: every other caller waits the page's Retry-After.
      expect(provider.rateLimiter?.pausedFor('openai')).toBeGreaterThan(50_000);
    }
  });
});

describe('a 429 web page', () => {
  it('without a title is named by the start of its text, markup left out', async () => {
    const body =
      '<html><body><div class="error"><b>Slow down</b>: too many requests</div></body></html>';
    const { provider } = await setup(
      { '/chat/completions': pageAnswer(429, body, {}, 'text/plain') },
      { retry: false },
    );
    const error = (await provider.complete(ask()).catch((e: unknown) => e)) as Error;
    expect(isRateLimitedError(error)).toBe(true);
    expect(error.message).toContain(
      'answered 429 (rate limited) with a web page (text/plain; it starts: "Slow down : too many requests")',
    );
    expectNoMarkup(error.message);
  });

  it('saying "Request too large for" is not the tier refusing the request: it paces', async () => {
    const body =
      '<html><head><title>Busy</title></head><body>Request too large for the gateway</body></html>';
    const { provider } = await setup(
      { '/chat/completions': pageAnswer(429, body, { 'retry-after': '60' }) },
      { retry: false },
    );
    const error = (await provider.complete(ask()).catch((e: unknown) => e)) as RateLimitedError;
    expect(error).toMatchObject({ requestTooLarge: false, retryable: true });
    expect(error.message).toContain('(rate limited) with a web page');
    expectNoMarkup(error.message);
    expect(provider.rateLimiter?.pausedFor('openai')).toBeGreaterThan(50_000);
  });
});

describe('other error statuses answered with a web page', () => {
  it.each([400, 401, 403, 404, 405, 408, 413, 422, 500, 501, 502, 503, 504, 529])(
    'a %i is named by its title',
    async (status) => {
      const body = `<!DOCTYPE html><html><head><title>${status} Error</title></head><body><p>failed</p></body></html>`;
      const { provider } = await setup(
        { '/chat/completions': pageAnswer(status, body) },
        { retry: false },
      );
      const error = (await provider.complete(ask()).catch((e: unknown) => e)) as Error;
      expect(isOpenAIApiError(error)).toBe(true);
      expect(error.message).toContain(`its title: "${status} Error"`);
      expectNoMarkup(error.message);
    },
  );

  it.each([
    [400, 'This model&#39;s maximum context length is 8192 tokens'],
    [413, 'prompt is too long'],
    [400, 'Requested 453357 tokens, max 300000 tokens per request'],
    [403, 'Country, region, or territory not supported'],
  ])('a %i page saying "%s" is named by its title, not read as the API', async (status, said) => {
    const body = `<html><head><title>Gateway</title></head><body><p>${said}</p></body></html>`;
    const { provider } = await setup(
      { '/chat/completions': pageAnswer(status, body) },
      { retry: false },
    );
    const error = (await provider.complete(ask()).catch((e: unknown) => e)) as Error;
    expect(isContextOverflowError(error)).toBe(false);
    expect(isOpenAIApiError(error)).toBe(true);
    expect(error.message).toContain(`answered ${status} with a web page`);
    expect(error.message).toContain('its title: "Gateway"');
    expectNoMarkup(error.message);
  });
});
