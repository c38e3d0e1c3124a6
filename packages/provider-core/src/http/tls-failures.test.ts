import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { testCertificate } from '@x/internal/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ask, lineCore, streamed } from '../__fixtures__/line-core';
import { agent, closeCoresAndServers, servers, viaRequest } from '../__fixtures__/via-request';
import type { Transport } from '../index';
import { tlsFailure } from './tls-failures';

afterEach(closeCoresAndServers);
afterAll(() => agent.close());

/** A server on 127.0.0.1 and how many connections it took. */
async function listen(
  server: http.Server | https.Server,
): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  server.on('connection', (_socket: Socket) => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const answer = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.end('{"delta":"hi"}\n{"done":true}\n');
};

/** A call with 2 retries and a breaker that opens at the `threshold`th failure counted. */
async function failure(url: string, transport: Transport | undefined, threshold = 1) {
  const core = lineCore(url, {
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    breaker: { failureThreshold: threshold },
    ...(transport === undefined ? {} : { pool: false, transport }),
  });
  const error = await core.complete(streamed, ask).catch((e: unknown) => e);
  return { error, breaker: core.breaker!.stats() };
}

describe('a TLS failure', () => {
  for (const [path, transport] of [
    ['the built-in transport', undefined],
    ['a custom transport', viaRequest],
  ] as const) {
    it(`is a typed connection error saying the address has no TLS, sent once, not counted by the breaker (${path})`, async () => {
      const { port, connections } = await listen(http.createServer(answer));
      const { error, breaker } = await failure(`https://127.0.0.1:${port}`, transport);
      expect(error).toMatchObject({
        name: 'ProviderConnectionError',
        kind: 'connection',
        causeCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
        retryable: false,
        message: expect.stringContaining('is its URL http://, not https://?'),
      });
      // Not OpenSSL's own line, which names a C source file and says nothing of what to do.
      expect((error as Error).message).not.toContain('ssl3_get_record');
      expect(connections()).toBe(1);
      expect(breaker).toMatchObject({ state: 'closed', failures: 0 });
    });

    it(`is a typed connection error naming a self-signed certificate (${path})`, async () => {
      const { port, connections } = await listen(
        https.createServer({ cert: testCertificate.cert, key: testCertificate.key }, answer),
      );
      const { error, breaker } = await failure(`https://127.0.0.1:${port}`, transport);
      expect(error).toMatchObject({
        name: 'ProviderConnectionError',
        causeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        retryable: false,
        message: expect.stringContaining('self-signed'),
      });
      expect(connections()).toBe(1);
      expect(breaker).toMatchObject({ state: 'closed', failures: 0 });
    });
  }

  it('that a retry may not meet again (a handshake cut by a reset) stays retryable and counted', async () => {
    // The server takes the connection and drops it before any TLS byte: a network failure.
    const server = http.createServer(answer);
    server.on('connection', (socket: Socket) => socket.destroy());
    const { port, connections } = await listen(server);
    // Opened by the third attempt's failure: each attempt was made, and each counted.
    const { error, breaker } = await failure(`https://127.0.0.1:${port}`, undefined, 3);
    expect(error).toMatchObject({ name: 'ProviderConnectionError', retryable: true });
    expect(tlsFailure((error as { causeCode?: string }).causeCode)).toBeUndefined();
    expect(connections()).toBe(3);
    expect(breaker.state).toBe('open');
  });
});

describe('tlsFailure', () => {
  it('names what each refusal means, and nothing for other codes', () => {
    expect(tlsFailure('CERT_HAS_EXPIRED')).toBe('its TLS certificate has expired');
    expect(tlsFailure('ERR_TLS_CERT_ALTNAME_INVALID')).toBe(
      'its TLS certificate does not name this host',
    );
    expect(tlsFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toContain('NODE_EXTRA_CA_CERTS');
    expect(tlsFailure('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')).toBe('the TLS handshake failed');
    for (const code of [undefined, 'ECONNRESET', 'ERR_TLS_HANDSHAKE_TIMEOUT', 'UND_ERR_SOCKET']) {
      expect(tlsFailure(code)).toBeUndefined();
    }
  });
});
