// The Redis state with the clients the other Redis tests do not run: ioredis 5 (the peer range is
// `^5.0.0 || ^6.0.0`), and ioredis 6 on RESP2 (`protocol: 2`), whose pub/sub replies and
// messages are RESP2's, not RESP3's push messages; the others run ioredis 6 on its default RESP3.
// Real redis-server, child processes, real clock.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import Redis5 from 'ioredis-5';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import {
  readmeRedisExample,
  reportingExitAtOnce,
  runWithRedis,
} from './__fixtures__/readme-redis-example';
import { routerOverRedis } from './__fixtures__/routers';
import type { Router } from './router';

const url = inject('redisUrl');
const open: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
  vi.unstubAllEnvs();
});

const clients = {
  'ioredis 5': (connectionName: string) =>
    new Redis5(url, { maxRetriesPerRequest: 1, connectionName }),
  'ioredis 6 with protocol: 2': (connectionName: string) =>
    new Redis(url, { maxRetriesPerRequest: 1, connectionName, protocol: 2 }),
};

const ask = (router: Router) => router.complete({ model: 'chat', messages: HI });

describe.each(Object.entries(clients))(
  'createRedisRouterState over %s (real Redis, real clock)',
  (_, make) => {
    it('shares a cooldown between routers, and close() ends the subscriber it duplicated', async () => {
      // Every connection of this test, the duplicated subscribers included, carries this name.
      const name = `compat-${randomUUID()}`;
      const connect = () => {
        const client = make(name);
        client.on('error', () => {});
        open.push(() => client.disconnect());
        return client;
      };
      const prefix = `test:${randomUUID()}:`;
      const shared = { a: fakeProvider('a'), b: fakeProvider('b') };
      const routers: Router[] = [];
      const instance = () => {
        const router = routerOverRedis({ client: connect(), prefix, providers: shared });
        routers.push(router);
        open.push(() => router.close());
        return router;
      };
      const [one, two] = [instance(), instance()];
      const heard: unknown[] = [];
      two.onCooldown((event) => heard.push(event));
      await vi.waitFor(
        () => {
          for (const router of [one, two]) expect(router.stats().state).toMatchObject({ syncs: 1 });
        },
        { timeout: 5_000 },
      );
      const admin = connect();
      const ours = String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${name} `));
      expect(ours.map((line) => / resp=(\d)/.exec(line)?.[1])).toEqual(['2', '2', '2', '2', '2']);
      expect(ours.filter((line) => line.includes(' sub=1 '))).toHaveLength(2);

      shared.a.fallback = apiError(503);
      await ask(one);
      await ask(one);
      await vi.waitFor(() => expect(heard).toMatchObject([{ deployment: 'a', source: 'shared' }]), {
        timeout: 5_000,
      });
      const callsOfA = shared.a.requests.length;
      expect((await ask(two)).route.deployment).toBe('b');
      expect(shared.a.requests).toHaveLength(callsOfA);
      expect(one.stats().state).toMatchObject({ state: 'available', published: 1 });
      expect(two.stats().state).toMatchObject({ state: 'available', received: 1 });
      const late = instance(); // reads the running cooldown back
      await vi.waitFor(() => expect(late.stats().deployments.a!.status).toBe('cooling'), {
        timeout: 5_000,
      });

      const channel = `${prefix}events`;
      expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 3]);
      await Promise.all(routers.map((router) => router.close()));
      // Redis may free a connection a moment after its QUIT's reply.
      await vi.waitFor(
        async () => expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 0]),
        { timeout: 5_000 },
      );
    });
  },
);

describe('createRedisRouterState over ioredis 5 (real Redis, child process, real clock)', () => {
  // The README's example ends its client, and the router unless close() is forgotten, while the
  // subscriber may still connect: an ioredis 5 connection dropped then holds the process 2 s
  // (an ioredis 6 one does not, so only these tests see that hold).
  it.each([
    ['with router.close()', true],
    ['with router.close() forgotten', false],
  ])('lets the README example exit at once %s', async (_, close) => {
    const script = readmeRedisExample({ close, ioredis: 'ioredis-5' });
    expect(script).toContain("import { Redis } from 'ioredis-5';");
    expect(await runWithRedis(reportingExitAtOnce(script))).toEqual({
      code: 0,
      stdout: 'true\n',
      stderr: '',
    });
  });
});
