import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { until } from '@x/internal/testing';
import { createRateLimiter } from '@x/rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { ask, chats, fixtureSetup, loadFixture, startServer } from './__fixtures__/server';
import { ProviderClosedError } from './errors';
import { createOllamaProvider } from './provider';

const { setup } = fixtureSetup();

describe('OllamaProvider.stats', () => {
  it('counts requests, tokens and latency and renders them for Prometheus', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    await provider.complete(ask());
    await provider.complete(ask());
    const stats = provider.stats();
    expect(stats).toMatchObject({
      requests: 2,
      successes: 2,
      failures: 0,
      promptTokens: 84,
      completionTokens: 62,
      inFlight: 0,
    });
    expect(stats.latencyMs.count).toBe(2);
    expect(stats.tokensPerSecond.p50).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    const text = provider.toPrometheus();
    const labels = 'provider="ollama",model="llama3.2"';
    expect(text).toContain('# TYPE x_provider_ollama_requests_total counter');
    expect(text).toContain(`x_provider_ollama_requests_total{${labels}} 2`);
    expect(text).toContain('# TYPE x_provider_ollama_request_duration_seconds histogram');
    expect(text).toContain(`x_provider_ollama_request_duration_seconds_count{${labels}} 2`);
    expect(text).toContain(
      `x_provider_ollama_request_duration_seconds_bucket{${labels},le="+Inf"} 2`,
    );
    expect(text).toMatch(
      /x_provider_ollama_request_duration_seconds_bucket\{provider="ollama",model="llama3.2",le="0.005"\} \d/,
    );
    expect(text).toContain(`x_provider_ollama_prompt_tokens_total{${labels}} 84`);
  });

  it('renders valid Prometheus text with escaped label values when error codes hold quotes and newlines', async () => {
    // A rate limiter's own error is counted under its code, whatever that holds. (A transport's
    // is not: its cause is a scrubbed copy whose code is shape-checked; nor a key callback's: it
    // ends the call as a LocalLimitError, never quoting what it threw.)
    let failing = false;
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 100 } } });
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = ((...args: Parameters<typeof acquire>) =>
      failing
        ? Promise.reject(Object.assign(new Error('stop'), { code: 'we"ird\\code\nx' }))
        : acquire(...args)) as typeof limiter.acquire;
    const { provider } = await setup(
      { '/api/chat': loadFixture('01-chat-nonstream.json') },
      { rateLimit: limiter, tokens: false },
    );
    await provider.complete(ask());
    failing = true;
    await provider.complete(ask('x')).catch(() => {});
    const text = provider.toPrometheus();
    expect(text.endsWith('\n')).toBe(true);
    const typed = new Map<string, string>();
    const helped = new Set<string>();
    const label = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"`;
    const sample = new RegExp(
      String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{${label}(?:,${label})*\})? (NaN|[+-]Inf|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$`,
    );
    for (const line of text.slice(0, -1).split('\n')) {
      const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/.exec(line);
      const type =
        /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
      if (help) {
        expect(helped.has(help[1]!)).toBe(false);
        helped.add(help[1]!);
      } else if (type) {
        expect(typed.has(type[1]!)).toBe(false);
        typed.set(type[1]!, type[2]!);
      } else {
        const match = sample.exec(line);
        expect(match, line).not.toBeNull();
        const name = match![1]!;
        const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
        expect(typed.has(family), line).toBe(true);
      }
    }
    expect(text).toContain(
      String.raw`x_provider_ollama_failures_total{provider="ollama",model="llama3.2",code="we\"ird\\code\nx"} 1`,
    );
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    const warnings: Array<[string, { type?: string } | undefined]> = [];
    const spy = vi
      .spyOn(process, 'emitWarning')
      .mockImplementation((message: string | Error, options?: unknown) => {
        warnings.push([String(message), options as { type?: string }]);
      });
    try {
      provider.onResponse(() => {
        throw new Error('listener bug');
      });
      const answer = await provider.complete(ask());
      expect(answer.content.length).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
    expect(warnings).toEqual([
      [
        "@x/provider-ollama: a 'response' listener threw: Error: listener bug",
        expect.objectContaining({ type: 'XListenerError' }),
      ],
    ]);
  });

  it('publishes responses on the x:provider-ollama:response channel', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    const seen: unknown[] = [];
    const onMessage = (m: unknown) => seen.push(m);
    diagnosticsChannel.subscribe('x:provider-ollama:response', onMessage);
    try {
      await provider.complete(ask());
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-ollama:response', onMessage);
    }
    expect(seen).toEqual([
      expect.objectContaining({ model: 'llama3.2', attempts: 1, cached: false }),
    ]);
  });
});

describe('createOllamaProvider', () => {
  it('normalises OLLAMA_HOST-style addresses', () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(make('0.0.0.0')).toBe('http://127.0.0.1:11434');
    expect(make('http://localhost:11434/')).toBe('http://localhost:11434');
    expect(make('https://ollama.com/api')).toBe('https://ollama.com');
    expect(make('http://gpu-box:8080')).toBe('http://gpu-box:8080');
  });

  it('reads a scheme-less address as http on port 11434 unless it names a port, as Ollama does', () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('localhost:11434')).toBe('http://localhost:11434');
    expect(make('localhost')).toBe('http://localhost:11434');
    expect(make('gpu-box/')).toBe('http://gpu-box:11434');
    expect(make('0.0.0.0:11434/')).toBe('http://127.0.0.1:11434');
    expect(make(':11434')).toBe('http://127.0.0.1:11434');
    expect(make('[::1]')).toBe('http://[::1]:11434');
    expect(make('::1')).toBe('http://[::1]:11434');
    expect(make('[::]:11500')).toBe('http://[::1]:11500');
    expect(make('gpu-box:80')).toBe('http://gpu-box');
    expect(make(' "127.0.0.1:11434" ')).toBe('http://127.0.0.1:11434');
  });

  it("keeps the scheme's own default port when the address has a scheme, as Ollama does", () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('http://ollama.internal')).toBe('http://ollama.internal');
    expect(make('http://ollama.internal/')).toBe('http://ollama.internal');
    expect(make('https://ollama.internal')).toBe('https://ollama.internal');
    expect(make('https://ollama.internal/')).toBe('https://ollama.internal');
    expect(make('http://0.0.0.0')).toBe('http://127.0.0.1');
    expect(make('https://proxy.example/ollama/')).toBe('https://proxy.example/ollama');
  });

  it('uses the default address when OLLAMA_HOST holds only spaces or quotes', () => {
    vi.stubEnv('OLLAMA_HOST', ' "" ');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://localhost:11434');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads OLLAMA_HOST when baseUrl is not given', () => {
    vi.stubEnv('OLLAMA_HOST', '10.0.0.5:11500');
    try {
      expect(createOllamaProvider().baseUrl).toBe('http://10.0.0.5:11500');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('throws TypeError or RangeError for invalid options', () => {
    expect(() => createOllamaProvider({ baseUrl: 'ftp://x' })).toThrow(RangeError);
    expect(() => createOllamaProvider({ baseUrl: 'http://user:pw@host' })).toThrow(
      /without credentials/,
    );
    // Whatever is wrong with the URL, the message never shows a password written into it.
    for (const baseUrl of [
      'http://user:s3cretpw@ho st:11434',
      'ftp://user:s3cretpw@host',
      'user:s3cretpw@ho st',
    ]) {
      expect(() => createOllamaProvider({ baseUrl })).toThrow(RangeError);
      expect(() => createOllamaProvider({ baseUrl })).not.toThrow(/s3cretpw/);
    }
    expect(() => createOllamaProvider({ timeouts: { idleMs: -1 } })).toThrow(RangeError);
    expect(() => createOllamaProvider({ retry: { retries: 1.5 } })).toThrow(RangeError);
    expect(() => createOllamaProvider({ apiKey: '' })).toThrow(RangeError);
  });

  it('throws the option error the README quotes, word for word', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    let message = '';
    try {
      createOllamaProvider({ timeouts: { idleMs: -1 } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/timeouts\.idleMs/);
    expect(readme).toContain(`(\`\`${message}\`\`)`);
  });

  it('leaves no socket or timer behind after close()', { timeout: 15_000 }, async () => {
    const count = () => {
      const info = process.getActiveResourcesInfo();
      return {
        sockets: info.filter((r) => r === 'TCPSocketWrap').length,
        timers: info.filter((r) => r === 'Timeout').length,
      };
    };
    const server = await startServer({
      '/api/show': loadFixture('05-show-llama3.2.json'),
      '/api/chat': [loadFixture('01-chat-nonstream.json'), loadFixture('02-chat-stream.json')],
    });
    const before = count();
    const provider = createOllamaProvider({ baseUrl: server.url });
    await provider.complete(ask());
    for await (const _chunk of provider.stream(ask())) {
      // drain
    }
    expect(count().sockets).toBeGreaterThan(before.sockets);
    await provider.close();
    await server.close();
    // undici retires its shared tick timer on its next tick (about a second): wait for it, up to
    // 10 s (a loaded machine; the test's own limit is 15 s). Counted after each sleep has fired, so the test's own timer is never among those counted
    // (`vi.waitFor`'s are, and made the wait fail when no earlier test had left undici's timer).
    for (const end = Date.now() + 10_000; Date.now() < end; ) {
      const now = count();
      if (now.sockets <= before.sockets && now.timers <= before.timers) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // At most what was there before: an earlier test's undici tick timer may retire meanwhile.
    const after = count();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('resolves a second close() only when the first one has finished', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fixture = loadFixture('01-chat-nonstream.json');
    const { server, provider } = await setup({
      '/api/chat': async (_req, res) => {
        await held;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(fixture.response.body);
      },
    });
    const answer = provider.complete(ask());
    await until(() => chats(server).length === 1);
    const order: string[] = [];
    const first = provider.close().then(() => order.push('first'));
    const second = provider.close().then(() => order.push('second'));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    order.push('released');
    release();
    await Promise.all([answer, first, second]);
    expect(order).toEqual(['released', 'first', 'second']);
  });

  it('ends a call waiting out a retry backoff as soon as close() is called, its timer with it', async () => {
    const { server, provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
          res.end('{"error":"server busy"}');
        },
      },
      { tokens: false, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 10_000 } },
    );
    const pending = provider.complete(ask()).catch((e: unknown) => e);
    await until(() => server.requests.length === 1);
    const started = performance.now();
    await provider.close();
    const error = await pending;
    expect(error).toBeInstanceOf(ProviderClosedError);
    // not after the 5 s the server asked for
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
    // The owner's choice, as with destroy(): cancelled, not a failure of the server.
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
  });

  it('rejects new calls with ProviderClosedError after close()', async () => {
    const provider = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    await provider.close();
    await expect(provider.complete(ask())).rejects.toBeInstanceOf(ProviderClosedError);
  });
});
