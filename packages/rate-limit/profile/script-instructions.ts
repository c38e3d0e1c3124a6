/**
 * What one decision costs inside redis-server, counted: the server runs under valgrind (see
 * `@x/internal/testing`'s `instructions.ts`), this process sends it N decisions one at a time,
 * and two such runs at two N, differenced, give the server's instructions per decision (its
 * socket read and write, RESP parsing and the script included). Limits as apps/bench sets them
 * (a rate no call reaches). Needs valgrind and redis-server. Run from packages/rate-limit, built:
 *
 *   node --import tsx profile/script-instructions.ts
 *   node --import tsx profile/script-instructions.ts --calls=1000,3000 --only=bucket,rlf
 *
 * Why count: `INFO commandstats` times a script in µs on a shared machine, and the same script
 * read 7 to 19 µs from one minute to the next while this work was done; counted, two runs agree
 * within 1-2%.
 *
 * What it read (December 2026, Redis 7.0.15): an empty script call 11,600 instructions; a script
 * that writes one key with `SET ... PX` 26,700, with `SET ... KEEPTTL` 20,000. The Redis token
 * bucket's `tryAcquire(1)` read 56,700 (a two-limit decision 101,000) when every admission
 * rewrote the expiry and each argument went through `tonumber()`, and reads 45,000 (82,700) with
 * the TTL kept while it outlives the deficit and the arguments converted by arithmetic;
 * rate-limiter-flexible's `consume()` 39,600.
 */

import { cliArg, keepOnly, perUnit, requirePeer, startCounted } from '@x/internal/testing';
import { createRateLimiter } from '@x/rate-limit';
import { createRedisStore, createRedisTokenBucket } from '@x/rate-limit/redis';
import { Redis } from 'ioredis';
import { freePort } from '../../../scripts/testing/redis-server';

const { RateLimiterRedis } = requirePeer('rate-limiter-flexible');
const RATE = 1e9;

/** One decision against the server behind `client`, set up once per counted run. */
type Subject = (client: Redis) => Promise<() => Promise<unknown>>;

const subjects: Record<string, Subject> = {
  // the fixed cost of any script call: EVALSHA's parsing, the Lua call, the reply
  empty: async (client) => {
    const sha = (await client.script('LOAD', 'return 0')) as string;
    return () => client.evalsha(sha, 0);
  },
  // what rewriting a key's expiry costs beside keeping it: one SET in a script, each way
  'set-px': async (client) => {
    const sha = (await client.script(
      'LOAD',
      "return redis.call('SET', KEYS[1], '0123456789abcdef01234567', 'PX', 100000)",
    )) as string;
    return () => client.evalsha(sha, 1, 'profile-set');
  },
  'set-keepttl': async (client) => {
    const sha = (await client.script(
      'LOAD',
      "return redis.call('SET', KEYS[1], '0123456789abcdef01234567', 'KEEPTTL')",
    )) as string;
    await client.set('profile-set', '0', 'PX', 3_600_000);
    return () => client.evalsha(sha, 1, 'profile-set');
  },
  bucket: async (client) => {
    const bucket = createRedisTokenBucket({
      client,
      key: 'profile-bucket',
      ratePerSecond: RATE,
      capacity: RATE,
    });
    return () => bucket.tryAcquire(1);
  },
  'two-limits': async (client) => {
    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: RATE, capacity: RATE },
        tokens: { ratePerSecond: RATE, capacity: RATE },
      },
      store: createRedisStore({ client }),
    });
    return () => limiter.tryAcquire('profile-two', { requests: 1, tokens: 100 });
  },
  rlf: async (client) => {
    const rlf = new RateLimiterRedis({
      storeClient: client,
      points: RATE,
      duration: 1,
      keyPrefix: 'profile-rlf',
    });
    return () => rlf.consume('k');
  },
};
keepOnly(subjects, cliArg('only', ''));

/** The server's total instructions for `calls` decisions of `subject` (and its start-up). */
async function countServer(subject: Subject, calls: number): Promise<number> {
  const port = await freePort();
  const server = startCounted('redis-server', [
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  // refused connections while the server starts are expected: connect() is retried below
  client.on('error', () => {});
  // redis-server starts slowly under valgrind
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect();
      break;
    } catch (error) {
      if (attempt === 300) throw error;
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const decide = await subject(client);
  for (let i = 0; i < calls; i++) await decide();
  await client.shutdown('NOSAVE').catch(() => undefined);
  client.disconnect();
  return server.exited;
}

const [first, second] = cliArg('calls', '1000,3000').split(',').map(Number) as [number, number];
console.log(`redis-server instructions per decision (calls ${first} to ${second}):`);
for (const [name, subject] of Object.entries(subjects)) {
  const n = await perUnit((calls) => countServer(subject, calls), first, second);
  console.log(`  ${name.padEnd(12)} ${n.toFixed(0)}`);
}
