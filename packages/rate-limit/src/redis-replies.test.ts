// A fake Redis that answers every script call with a reply the scripts never give (what a proxy,
// a mock or another program on the port might send): a store must not read it as a decision.
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { LimitOptions } from './options';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket } from './redis';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** The first command in `text` (RESP arrays of bulk strings, as ioredis sends): name, length. */
function nextCommand(text: string): { name: string; length: number } | undefined {
  let at = text.indexOf('\r\n');
  if (text[0] !== '*' || at < 0) return undefined;
  const count = Number(text.slice(1, at));
  at += 2;
  let name = '';
  for (let i = 0; i < count; i++) {
    const end = text.indexOf('\r\n', at);
    if (end < 0) return undefined;
    const size = Number(text.slice(at + 1, end));
    if (text.length < end + 2 + size + 2) return undefined;
    if (i === 0) name = text.slice(end + 2, end + 2 + size).toUpperCase();
    at = end + 2 + size + 2;
  }
  return { name, length: at };
}

/** A client of a fake Redis that answers `EVALSHA` with `reply` (raw RESP), the rest with `+OK`. */
async function fakeRedis(reply: string): Promise<{ client: Redis; scripts: () => number }> {
  let scripts = 0;
  const server: Server = createServer((socket) => {
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let command = nextCommand(pending); command; command = nextCommand(pending)) {
        pending = pending.slice(command.length);
        if (command.name === 'EVALSHA') scripts++;
        socket.write(command.name === 'EVALSHA' ? reply : '+OK\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  const client = new Redis({
    port: (server.address() as AddressInfo).port,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
  });
  client.on('error', () => {});
  cleanup.push(() => client.disconnect());
  return { client, scripts: () => scripts };
}

const unexpected = { code: 'X_RATE_LIMIT_STORE_ERROR', reply: 'UNEXPECTED_REPLY' };

describe('createRedisStore replies that are not the script reply', () => {
  it.each([
    ['an array holding nil', '*1\r\n$-1\r\n'],
    ['a nested array', '*1\r\n*1\r\n:0\r\n'],
    ['an array holding an empty string', '*1\r\n$0\r\n\r\n'],
    ['an array holding the text 0', '*1\r\n$1\r\n0\r\n'],
    ['a negative integer', ':-5\r\n'],
    ['an array holding a negative integer other than -1', '*1\r\n:-2\r\n'],
  ])(
    'rejects every call of a fail-closed limiter with UNEXPECTED_REPLY for %s',
    async (_, reply) => {
      const { client, scripts } = await fakeRedis(reply);
      const store = createRedisStore({ client, outagePolicy: 'fail-closed' });
      const limitSets: Record<string, LimitOptions>[] = [
        { requests: { ratePerSecond: 10 } },
        { requests: { ratePerSecond: 10 }, tokens: { ratePerSecond: 1000 } },
      ];
      for (const limits of limitSets) {
        const limiter = createRateLimiter({ limits, store });
        await expect(limiter.tryAcquire('k')).rejects.toMatchObject(unexpected);
        await expect(limiter.acquire('k')).rejects.toMatchObject(unexpected);
        await expect(limiter.waitTimeMs('k')).rejects.toMatchObject(unexpected);
        expect(limiter.stats()).toMatchObject({ admitted: 0 });
      }
      expect(scripts()).toBe(6);
      // Redis answered: neither an outage nor an error of Redis'
      expect(store.stats()).toMatchObject({
        state: 'available',
        outages: 0,
        fallbackDecisions: 0,
        scriptErrors: 0,
      });
    },
  );

  it('rejects the calls of a Redis token bucket with UNEXPECTED_REPLY for an array holding nil', async () => {
    const { client } = await fakeRedis('*1\r\n$-1\r\n');
    const bucket = createRedisTokenBucket({
      client,
      key: 'k',
      ratePerSecond: 10,
      outagePolicy: 'fail-closed',
    });
    await expect(bucket.tryAcquire()).rejects.toMatchObject(unexpected);
    await expect(bucket.acquire()).rejects.toMatchObject(unexpected);
    await expect(bucket.waitTimeMs()).rejects.toMatchObject(unexpected);
  });
});
