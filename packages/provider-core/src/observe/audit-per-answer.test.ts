// One answer that echoes the key in several of its fields (a request id header, an error's
// message, type and code) is one `secret-scrubbed` audit event, and one warning line, carrying
// the total: not one per field.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordingLogger } from '@x/internal/testing';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider } from '../__fixtures__/observed';
import { type AuditEvent, mapHttpStatus, type Transport } from '../index';

const KEY = 'sk-answer-Qw8Zr4Lx2Pn6Vt1K';
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A server refusing every request with 401, the key in a header and in three body fields. */
async function startEchoing(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': `req-${KEY}` });
      const code = Buffer.from(KEY).toString('base64');
      res.end(JSON.stringify({ error: { message: `bad key ${KEY}`, type: KEY, code } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A provider whose error mapping keeps each field apart, as provider-openai's does. */
async function provider(transport?: 'custom') {
  // a transport of one's own: the answer is read from its body's events, not pushed by undici
  const custom: Transport = (url, options) => request(url, options as never) as never;
  const origin = { provider: 'reply', label: 'Reply' };
  const base = mapHttpStatus(origin);
  const { logger, entries } = recordingLogger();
  const url = await startEchoing();
  const p = observedProvider(
    url,
    { apiKey: KEY, retry: false, logger, ...(transport === 'custom' ? { transport: custom } : {}) },
    {
      httpError: (failure) => {
        const { error } = JSON.parse(failure.body) as { error: Record<string, string> };
        failure.redact(String(failure.headers['x-request-id']));
        failure.redact(error.type!);
        failure.redact(error.code!);
        return base(failure);
      },
    },
  );
  cleanup.push(() => p.core.close());
  const events: AuditEvent[] = [];
  p.core.on('audit', (event) => events.push(event));
  const scrubbed = () => events.filter((e) => e.type === 'secret-scrubbed');
  const warned = () => entries.filter((e) => e[1].type === 'secret-scrubbed');
  return { p, scrubbed, warned };
}

describe('secret-scrubbed audit events', () => {
  it('are one per answer, with the total, for a call read whole', async () => {
    const { p, scrubbed, warned } = await provider();
    await expect(p.complete(ask('m'))).rejects.toMatchObject({ statusCode: 401 });
    expect(scrubbed()).toEqual([
      expect.objectContaining({ endpoint: '/v1/reply', occurrences: 4 }),
    ]);
    expect(warned()).toHaveLength(1);
    expect(warned()[0]![2]).toBe('4 secret occurrence(s) scrubbed from /v1/reply');
    await expect(p.complete(ask('m', 'again'))).rejects.toMatchObject({ statusCode: 401 });
    expect(scrubbed().map((e) => (e as { occurrences: number }).occurrences)).toEqual([4, 4]);
  });

  it('are one per answer, with the total, for a stream', async () => {
    const { p, scrubbed, warned } = await provider();
    const failure = await (async () => {
      for await (const _ of p.stream(ask('m')));
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ statusCode: 401 });
    expect(scrubbed()).toEqual([
      expect.objectContaining({ endpoint: '/v1/reply', occurrences: 4 }),
    ]);
    expect(warned()).toHaveLength(1);
  });

  it('are one per answer, with the total, over a transport of your own', async () => {
    const { p, scrubbed, warned } = await provider('custom');
    await expect(p.complete(ask('m'))).rejects.toMatchObject({ statusCode: 401 });
    const failure = await (async () => {
      for await (const _ of p.stream(ask('m')));
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ statusCode: 401 });
    expect(scrubbed().map((e) => (e as { occurrences: number }).occurrences)).toEqual([4, 4]);
    expect(warned()).toHaveLength(2);
  });
});
