// Real clock: a fake Redis on 127.0.0.1 (a hostile server, or a proxy in front of Redis) that
// accepts the client's AUTH, then answers every command with an error quoting its password
// written backwards.
import { createServer, type Server } from 'node:net';
import { errorTexts } from '@x/internal/testing';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitStoreError } from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore } from './redis';

const PASSWORD = 'Zq7Xv9Lm3Pw8Rt5Yu2Io';
const BACKWARDS = [...PASSWORD].reverse().join('');

const closing: Array<() => unknown> = [];

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** A server speaking just enough RESP: `+OK` to AUTH, HELLO and SELECT, `reply` to the rest. */
async function hostileRedis(reply: string): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (data) => {
      // each command is an array of bulk strings: `*N\r\n$len\r\nNAME\r\n...`
      const names = [...data.toString('latin1').matchAll(/\*\d+\r\n\$\d+\r\n([^\r]*)\r\n/g)];
      socket.write(
        names
          .map(([, name]) => (/^(auth|hello|select|client)$/i.test(name!) ? '+OK\r\n' : reply))
          .join(''),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

describe('createRedisStore error text from a hostile Redis', () => {
  it("hides the client's password that an error reply quotes backwards", async () => {
    const port = await hostileRedis(`-ERR bad ${BACKWARDS}\r\n`);
    const client = new Redis({
      host: '127.0.0.1',
      port,
      password: PASSWORD,
      enableReadyCheck: false,
      maxRetriesPerRequest: 1,
    });
    client.on('error', () => {});
    closing.push(() => client.disconnect());
    const store = createRedisStore({ client, outagePolicy: 'fail-closed', probeIntervalMs: 0 });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
    closing.push(() => limiter.close());
    const error = (await limiter.tryAcquire('k').catch((e: unknown) => e)) as RateLimitStoreError;
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_STORE_ERROR', reply: 'ERR' });
    expect((error.cause as Error).message).toBe('ERR bad [redacted]');
    const shown = [...errorTexts([error]), JSON.stringify(store.stats())].join('\n');
    expect(shown).not.toContain(BACKWARDS.slice(0, 8));
    expect(shown).not.toContain(PASSWORD.slice(0, 8));
  }, 30_000);
});
