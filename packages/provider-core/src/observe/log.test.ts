import { startEchoSecrets } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import type { Logger } from '../index';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of cleanup.splice(0).reverse()) await close();
});

interface Entry {
  level: string;
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A pino-shaped logger that keeps what it is given. */
function capture(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) => {
    entries.push({ level, fields, message });
  };
  return {
    entries,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('ProviderCore logger', () => {
  it('logs retries, the failure, breaker transitions and audit events with the shared field names', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const { logger, entries: all } = capture();
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
    expect(all.find((e) => e.fields.package === '@x/pool')?.fields.event).toBe('connect');
    const entries = all.filter((e) => e.fields.package === '@x/provider-reply');
    const events = entries.map(
      (e) => `${e.level} ${e.fields.event}${e.fields.type ? `/${e.fields.type}` : ''}`,
    );
    expect(events).toEqual([
      'info audit/credential-fetched',
      'debug response',
      'warn retry',
      'warn breaker-transition',
      'error call-failed',
    ]);
    for (const entry of entries) {
      expect(entry.fields).toMatchObject({ package: '@x/provider-reply', provider: 'gpu-a' });
      expect(Object.keys(entry.fields).slice(0, 3)).toEqual(['package', 'provider', 'event']);
      expect(typeof entry.message).toBe('string');
    }
    expect(entries[2]!.fields).toMatchObject({
      event: 'retry',
      model: 'm',
      endpoint: '/v1/reply',
      code: 'X_PROVIDER_REPLY_SERVER_BUSY',
      attempt: 2,
    });
    expect(entries[3]).toMatchObject({
      fields: {
        event: 'breaker-transition',
        breaker: 'b1',
        from: 'closed',
        to: 'open',
        reason: 'failure-threshold',
      },
      message: 'breaker "b1" closed -> open (failure-threshold)',
    });
    expect(entries[4]!.fields).toMatchObject({
      event: 'call-failed',
      model: 'm',
      code: 'X_PROVIDER_REPLY_SERVER_BUSY',
      error: 'ProviderApiError',
    });
  });

  it('writes no secret into any entry when a hostile server echoes the key (startEchoSecrets)', async () => {
    await using echo = await startEchoSecrets();
    const key = 'sk-log-Zq7Xv9Lm3Pw8Rt2Y';
    const { logger, entries } = capture();
    const p = observedProvider(echo.url, { logger, apiKey: key, retry: false });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m')).catch(() => {});
    const text = JSON.stringify(entries);
    expect(text).toContain('[redacted]');
    expect(entries.map((e) => e.fields.type ?? e.fields.event)).toEqual(
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
    const provider = capture();
    const pool = capture();
    const p = observedProvider(server.url, {
      logger: provider.logger,
      pool: { logger: pool.logger },
    });
    cleanup.push(() => p.core.close());
    await p.complete(ask('m'));
    expect(pool.entries.map((e) => `${e.fields.package} ${e.fields.event}`)).toContain(
      '@x/pool connect',
    );
    expect(provider.entries.some((e) => e.fields.package === '@x/pool')).toBe(false);
  });

  it('refuses a logger without log methods, naming the option', () => {
    expect(() => observedProvider('http://127.0.0.1:1', { logger: {} as never })).toThrow(
      new TypeError(
        'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `{}` (object)',
      ),
    );
  });
});
