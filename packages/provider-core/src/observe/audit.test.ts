import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { startEchoSecrets } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import type { AuditEvent } from '../index';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A provider whose audit events are collected from the listener and from the channel. */
function audited(
  baseUrl: string,
  options: Parameters<typeof observedProvider>[1] = {},
  apiKeyEnv?: string,
) {
  const p = observedProvider(baseUrl, { retry: false, ...options }, { apiKeyEnv });
  const events: AuditEvent[] = [];
  const published: unknown[] = [];
  p.core.on('audit', (event) => {
    events.push(event);
  });
  const onMessage = (message: unknown) => published.push(message);
  subscribe('x:provider-reply:audit', onMessage);
  cleanup.push(
    () => unsubscribe('x:provider-reply:audit', onMessage),
    () => p.core.close(),
  );
  return { ...p, events, published };
}

/** Every form a secret may take on the wire. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
  ];
}

describe('ProviderCore audit events', () => {
  it('reports the credential read, the 401 and the scrubbed echo of a hostile server, never the key (startEchoSecrets)', async () => {
    await using echo = await startEchoSecrets();
    const key = 'sk-audit-Zq7Xv9Lm3Pw8Rt2Y';
    const header = 'hdr-token-Kf83hQ02xLm';
    const a = audited(echo.url, { apiKey: key, headers: { 'x-api-key': header } });
    const error = await a.complete(ask('m')).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 401 });
    const stream = await (async () => {
      for await (const _ of a.stream(ask('m')));
    })().catch((e: unknown) => e);
    expect(stream).toMatchObject({ statusCode: 401 });
    const types = a.events.map((e) => e.type);
    expect(types.filter((t) => t === 'credential-fetched')).toHaveLength(1);
    expect(types.filter((t) => t === 'auth-rejected')).toHaveLength(2);
    expect(types.filter((t) => t === 'secret-scrubbed').length).toBeGreaterThanOrEqual(2);
    expect(a.events[0]).toEqual({
      type: 'credential-fetched',
      source: 'apiKey',
      outcome: 'ok',
      variable: undefined,
      provider: 'reply',
      time: expect.any(Number),
    });
    expect(a.events).toContainEqual({
      type: 'auth-rejected',
      endpoint: '/v1/reply',
      status: 401,
      model: 'm',
      provider: 'reply',
      time: expect.any(Number),
    });
    expect(a.events).toContainEqual({
      type: 'secret-scrubbed',
      endpoint: '/v1/reply',
      occurrences: expect.any(Number),
      provider: 'reply',
      time: expect.any(Number),
    });
    expect(a.published).toEqual(a.events);
    const everything = `${JSON.stringify(a.events)}\n${inspect(a.published, { depth: 5 })}`;
    for (const secret of [key, header]) {
      for (const form of forms(secret)) expect(everything).not.toContain(form);
      // Nor any 8-character piece of it.
      for (let i = 0; i + 8 <= secret.length; i++) {
        expect(everything).not.toContain(secret.slice(i, i + 8));
      }
    }
  });

  it('reports each key a getApiKey callback hands out, one it does not, and one that fails, never the key', async () => {
    await using echo = await startEchoSecrets({ status: 403 });
    const keys = ['sk-cb-first-AAAA1111', undefined, new Error('vault sealed: sk-cb-leak-BBBB')];
    let i = 0;
    const a = audited(echo.url, {
      getApiKey: () => {
        const next = keys[i++];
        if (next instanceof Error) throw next;
        return next;
      },
    });
    for (let n = 0; n < 3; n++) await a.complete(ask('m')).catch(() => {});
    const credentials = a.events.filter((e) => e.type === 'credential-fetched');
    expect(credentials.map((e) => [e.source, e.outcome])).toEqual([
      ['getApiKey', 'ok'],
      ['getApiKey', 'empty'],
      ['getApiKey', 'failed'],
    ]);
    expect(a.events.filter((e) => e.type === 'auth-rejected').map((e) => e.status)).toEqual([
      403, 403,
    ]);
    const everything = JSON.stringify(a.events);
    for (const form of forms('sk-cb-first-AAAA1111')) expect(everything).not.toContain(form);
    expect(everything).not.toContain('sk-cb-leak');
    expect(everything).not.toContain('vault sealed');
  });

  it('names the environment variable of a key the provider read there', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const a = audited(server.url, { apiKey: 'sk-from-env-CCCC2222' }, 'REPLY_API_KEY');
    await a.complete(ask('m'));
    await a.complete(ask('m'));
    expect(a.events).toEqual([
      {
        type: 'credential-fetched',
        source: 'env',
        outcome: 'ok',
        variable: 'REPLY_API_KEY',
        provider: 'reply',
        time: expect.any(Number),
      },
    ]);
  });

  it('reports the breaker forced open, closed, isolated and released by hand, not its own trips', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const a = audited(server.url, { name: 'gpu-a', breaker: { name: 'b1', failureThreshold: 1 } });
    server.status = 500;
    await a.complete(ask('m')).catch(() => {});
    expect(a.core.breaker!.state).toBe('open');
    expect(a.events).toEqual([]);
    a.core.breaker!.close();
    a.core.breaker!.open();
    a.core.breaker!.close();
    const release = a.core.breaker!.isolate();
    release();
    expect(a.events.map((e) => e.type === 'breaker-manual' && [e.action, e.from, e.to])).toEqual([
      ['close', 'open', 'closed'],
      ['open', 'closed', 'open'],
      ['close', 'open', 'closed'],
      ['isolate', 'closed', 'open'],
      ['release', 'open', 'closed'],
    ]);
    expect(a.events[0]).toMatchObject({ type: 'breaker-manual', breaker: 'b1', provider: 'gpu-a' });
  });

  it('reports a throwing onAudit listener as a process warning and still answers', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const p = observedProvider(server.url, { apiKey: 'sk-listener-DDDD3333' });
    cleanup.push(() => p.core.close());
    p.core.on('audit', () => {
      throw new Error('audit sink down');
    });
    await expect(p.complete(ask('m'))).resolves.toMatchObject({ content: 'you said hello there' });
    expect(warn).toHaveBeenCalledWith(
      "@x/provider-reply: a 'audit' listener threw: Error: audit sink down",
      expect.objectContaining({ type: 'XListenerError', code: 'X_PROVIDER_REPLY_LISTENER_ERROR' }),
    );
  });
});
