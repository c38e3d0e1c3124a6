import { recordingLogger, startEchoSecrets } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of cleanup.splice(0).reverse()) await close();
});

describe('ProviderCore logger', () => {
  it('logs retries, the failure, breaker transitions and audit events with the shared field names', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const { logger, entries: all } = recordingLogger();
    const p = observedProvider(server.url, {
      name: 'gpu-a',
      logger,
      apiKey: 'sk-log-EEEE4444',
      retry: { retries: 1, baseDelayMs: 1, budget: false },
      breaker: { name: 'b1', failureThreshold: 2 },
    });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m'));
    server.status = 503;
    await p.complete(ask('m')).catch(() => {});
    // The pool the provider created logs to the same logger, under its own package.
    expect(all.find((e) => e[1].package === '@x/pool')?.[1].event).toBe('connect');
    const entries = all.filter((e) => e[1].package === '@x/provider-reply');
    const events = entries.map((e) => `${e[0]} ${e[1].event}${e[1].type ? `/${e[1].type}` : ''}`);
    expect(events).toEqual([
      'info audit/credential-fetched',
      'debug response',
      'warn retry',
      'warn breaker-transition',
      'error call-failed',
    ]);
    for (const entry of entries) {
      expect(entry[1]).toMatchObject({ package: '@x/provider-reply', provider: 'gpu-a' });
      expect(Object.keys(entry[1]).slice(0, 3)).toEqual(['package', 'provider', 'event']);
      expect(typeof entry[2]).toBe('string');
    }
    expect(entries[2]![1]).toMatchObject({
      event: 'retry',
      model: 'm',
      endpoint: '/v1/reply',
      code: 'X_PROVIDER_REPLY_SERVER_BUSY',
      attempt: 2,
    });
    expect(entries[3]![1]).toMatchObject({
      event: 'breaker-transition',
      breaker: 'b1',
      from: 'closed',
      to: 'open',
      reason: 'failure-threshold',
    });
    expect(entries[3]![2]).toBe('breaker "b1" closed -> open (failure-threshold)');
    expect(entries[4]![1]).toMatchObject({
      event: 'call-failed',
      model: 'm',
      code: 'X_PROVIDER_REPLY_SERVER_BUSY',
      error: 'ProviderApiError',
    });
  });

  it('logs no call-failed entry for calls their caller aborted', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const { logger, entries } = recordingLogger();
    const p = observedProvider(server.url, { logger, retry: false });
    cleanup.push(() => p.core.close());
    const signal = AbortSignal.abort();
    await expect(p.complete({ ...ask('m'), signal })).rejects.toBe(signal.reason);
    await expect(p.stream({ ...ask('m'), signal }).next()).rejects.toBe(signal.reason);
    expect(entries.filter((e) => e[1].event === 'call-failed')).toEqual([]);
    expect(p.core.stats()).toMatchObject({ cancelled: 2, failures: 0 });
  });

  it('writes no secret into any entry when a hostile server echoes the key (startEchoSecrets)', async () => {
    await using echo = await startEchoSecrets();
    const key = 'sk-log-Zq7Xv9Lm3Pw8Rt2Y';
    const { logger, entries } = recordingLogger();
    const p = observedProvider(echo.url, { logger, apiKey: key, retry: false });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m')).catch(() => {});
    const text = JSON.stringify(entries);
    expect(text).toContain('[redacted]');
    expect(entries.map((e) => e[1].type ?? e[1].event)).toEqual(
      expect.arrayContaining([
        'credential-fetched',
        'auth-rejected',
        'secret-scrubbed',
        'call-failed',
      ]),
    );
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64')]) {
      expect(text).not.toContain(form);
    }
  });

  it('is silent without a logger', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => {}),
    );
    server.status = 503;
    const p = observedProvider(server.url, { retry: { retries: 1, baseDelayMs: 1 } });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m')).catch(() => {});
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('works with console', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const level of ['debug', 'info', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation(() => {});
    }
    server.status = 503;
    const p = observedProvider(server.url, {
      logger: console,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m')).catch(() => {});
    expect(spy).toHaveBeenCalledWith(
      expect.objectContaining({ package: '@x/provider-reply', event: 'retry', model: 'm' }),
      expect.stringContaining('retrying /v1/reply (attempt 2)'),
    );
  });

  it('leaves the logger a piece names in its own options to that piece', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const provider = recordingLogger();
    const pool = recordingLogger();
    const p = observedProvider(server.url, {
      logger: provider.logger,
      pool: { logger: pool.logger },
    });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m'));
    expect(pool.entries.map((e) => `${e[1].package} ${e[1].event}`)).toContain('@x/pool connect');
    expect(provider.entries.some((e) => e[1].package === '@x/pool')).toBe(false);
  });

  it('refuses a logger without log methods, naming the option', () => {
    expect(() => observedProvider('http://127.0.0.1:1', { logger: {} as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{}` (object)',
      ),
    );
  });
});
