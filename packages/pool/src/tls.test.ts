import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { testCertificate } from '@x/internal/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPool, type Pool } from './pool';

const { cert, key } = testCertificate;

let server: https.Server;
let port: number;
const serverNames: (string | false | null)[] = [];
const pools: Pool[] = [];

beforeEach(async () => {
  serverNames.length = 0;
  server = https.createServer({ cert, key }, (_req, res) => res.end('secure ok'));
  server.on('secureConnection', (socket: TLSSocket) => serverNames.push(socket.servername));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const resolver = async () => [{ address: '127.0.0.1' }];

describe('createPool over https', () => {
  it('connects to the cached address with the hostname as SNI and verifies the certificate', async () => {
    const pool = createPool({ resolver, tls: { ca: cert } });
    pools.push(pool);
    for (let i = 0; i < 3; i++) {
      const res = await pool.request(`https://secure.test:${port}/`);
      expect(await res.body.text()).toBe('secure ok');
    }
    expect(serverNames).toEqual(['secure.test']);
    expect(pool.stats().origins[`https://secure.test:${port}`]?.requestsServed).toBe(3);
  });

  it('rejects a certificate it cannot verify when no CA is given', async () => {
    const pool = createPool({ resolver });
    pools.push(pool);
    await expect(pool.request(`https://secure.test:${port}/`)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });
});
