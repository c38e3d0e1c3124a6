/**
 * The Redis token bucket against rate-limiter-flexible's `RateLimiterRedis`, as `apps/bench` sets
 * them up (one ioredis client, one key, a rate no call reaches), on a scratch redis-server. Run
 * from packages/rate-limit, built (`pnpm build`):
 *
 *   node --import tsx profile/redis-bucket.ts --c=16                  # ratio, client CPU and script
 *                                                                     # calls per decision
 *   node --import tsx profile/redis-bucket.ts --c=1 --variants=base=/tmp/base-dist    # + another build
 *   node --import tsx profile/redis-bucket.ts --profile=ours --c=16   # one case: + redis-server CPU
 *                                                                     # and its EVALSHA statistics
 *   node --cpu-prof --import tsx profile/redis-bucket.ts --profile=ours --c=16 --rounds=20
 *   node --import tsx profile/redis-bucket.ts --monitor               # what Redis receives (MONITOR)
 *
 * Cases run in one process, in rotated order, over many short rounds: the median of per-round
 * ratios holds on a shared machine where absolute figures swing by 3x from one second to the next.
 *
 * What the profiles showed (2 shared vCPUs, Redis 7.0 on loopback, ioredis 5; December 2026):
 *
 * - A round trip is mostly the kernel. One decision at a time, the client spends 25-30 µs of CPU
 *   (more when the machine is loaded), most of it in the socket write that wakes redis-server
 *   (`writeUtf8String`: ~20 µs when Redis is awake, up to ~70 µs when its vCPU sleeps). Our
 *   JavaScript per decision was ~2.2 µs against ~1.1 µs for rate-limiter-flexible (a fake client
 *   answering at once); it is now about the same as theirs. Redis' `INFO commandstats`: our
 *   script 7-9 µs per call against ~5 µs for their `SET NX` + `INCRBY` + `PTTL`; of ours, `TIME`
 *   ~1.5 µs and `SET ... PX` ~2 µs more than a plain `SET` (the expiry was rewritten on every
 *   admission). The script now keeps the expiry (`KEEPTTL`) while a TTL set with slack outlives
 *   the deficit; `profile/script-instructions.ts` counts what that saves inside Redis. Both are
 *   one round trip: the ratio moves between 0.8x and 1.1x with the machine.
 * - At c=16 the closed loop's 16 callers already shared one script call per round before this
 *   work (`evalsha/decision` 0.0625: calls of one tick went together); calls made while a call for
 *   the key is in flight now wait for it too. MONITOR shows, per round, one `EVALSHA` with 16
 *   costs, then `TIME`, `GET`, `SET` (`KEEPTTL` now, mostly). Per decision the client spends 3-9 µs of CPU against
 *   13-16 µs for rate-limiter-flexible, and redis-server 3-5 µs against 11-12 µs (its CPU over
 *   decisions/s). But the client is idle 60-65% of the time: each round waits for a round trip
 *   (~75 µs on a busy machine, ~210 µs on an idle one: two wake-ups, client → Redis → client,
 *   plus a 15-25 µs script run for 16 decisions), while rate-limiter-flexible pipelines 16
 *   `EVALSHA`s and is CPU-bound. Measured: 2.5-5.5x when other processes keep the vCPUs awake,
 *   1.0-1.3x when the machine is idle and every wake-up pays for a sleeping vCPU.
 * - Splitting a round into pipelined calls (8 + 8, 4 x 4) was slower, 0.4-0.6x of one call: each
 *   call costs a write, a read and a script run, more than the overlap gains.
 * - What changed: `take` decisions of a key coalesce behind the call in flight; the one-limit
 *   script takes the whole batch (one cost per request, an integer reply when every request got
 *   the same answer); a decision runs on callbacks instead of a chain of promises, and is
 *   scheduled with a resolved promise's `then` rather than `queueMicrotask` (which pays for
 *   async-context bookkeeping): JavaScript per decision 1.64 µs -> 0.9 µs on a fake client.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cliArg as arg, medianOf as median, requirePeer } from '@x/internal/testing';
import { createRedisTokenBucket } from '@x/rate-limit/redis';
import Redis from 'ioredis';
import { startRedisServer } from '../../../scripts/testing/redis-server';

const C = Number(arg('c', '16'));
const ROUNDS = Number(arg('rounds', '21'));
const ROUND_MS = Number(arg('ms', '300'));
const profile = arg('profile', '');
const monitor = process.argv.includes('--monitor');
const variants = arg('variants', '')
  .split(',')
  .filter((v) => v !== '')
  .map((v) => v.split('=') as [string, string]);
const RATE = 1e9;

const server = await startRedisServer();
const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await client.connect();

/** The client, counting script calls (EVALSHA) so that calls per decision show. */
let calls = 0;
const counted = {
  evalsha: (...a: Parameters<Redis['evalsha']>) => {
    calls++;
    return client.evalsha(...a);
  },
  eval: (...a: Parameters<Redis['eval']>) => client.eval(...a),
};
const options = { client: counted as never, ratePerSecond: RATE, capacity: RATE };
const ours = createRedisTokenBucket({ ...options, key: 'bench-x' });
const fns: Record<string, () => Promise<unknown>> = { ours: () => ours.tryAcquire(1) };
for (const [name, dir] of variants) {
  const other = (await import(pathToFileURL(`${dir}/redis.js`).href)) as {
    createRedisTokenBucket: typeof createRedisTokenBucket;
  };
  const bucket = other.createRedisTokenBucket({ ...options, key: `bench-${name}` });
  fns[name] = () => bucket.tryAcquire(1);
}
const { RateLimiterRedis } = requirePeer('rate-limiter-flexible');
const rlf = new RateLimiterRedis({
  storeClient: client,
  points: RATE,
  duration: 1,
  keyPrefix: 'bench-rlf',
});
fns.rlf = () => rlf.consume('k');

/** `C` callers loop on `fn` for `ms`: completed calls per second. */
async function loop(fn: () => Promise<unknown>, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await fn();
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, worker));
  return (done * 1000) / (performance.now() - t0);
}

/** CPU ms the redis-server process used so far (user + system, from /proc). */
async function redisCpuMs(): Promise<number> {
  const pid = /process_id:(\d+)/.exec(String(await client.info('server')))![1];
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

if (monitor) {
  const watcher = await new Redis(server.url, { retryStrategy: () => null }).monitor();
  const seen: string[] = [];
  watcher.on('monitor', (_time: string, args: string[]) =>
    seen.push(args.map((a) => (a.length > 60 ? `<${a.length} chars>` : a)).join(' ')),
  );
  await ours.tryAcquire(1); // loads the script
  await ours.tryAcquire(1);
  await Promise.all(Array.from({ length: C }, () => ours.tryAcquire(1)));
  await client.ping();
  console.log(seen.join('\n'));
  watcher.disconnect();
} else if (profile !== '') {
  await client.config('RESETSTAT');
  const before = await redisCpuMs();
  const t0 = performance.now();
  const ops = await loop(fns[profile]!, ROUNDS * ROUND_MS);
  const redisShare = ((await redisCpuMs()) - before) / (performance.now() - t0);
  const evalsha = String(await client.info('commandstats'))
    .split('\n')
    .find((l) => l.startsWith('cmdstat_evalsha'));
  console.log(
    `${profile} c=${C}: ${(ops / 1000).toFixed(1)}k/s; redis-server CPU ${(redisShare * 100).toFixed(0)}% of a core; ${evalsha}`,
  );
} else {
  const names = Object.keys(fns);
  const ops: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const perCall: Record<string, number[]> = {};
  for (const n of names) {
    ops[n] = [];
    cpu[n] = [];
    perCall[n] = [];
    await loop(fns[n]!, 100); // warm-up, and loads each script
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length]!;
      calls = 0;
      const before = process.cpuUsage();
      const t0 = performance.now();
      const o = await loop(fns[n]!, ROUND_MS);
      const used = process.cpuUsage(before);
      const done = (o * (performance.now() - t0)) / 1000;
      ops[n]!.push(o);
      cpu[n]!.push((used.user + used.system) / done);
      perCall[n]!.push(calls / done);
    }
  }
  for (const n of names) {
    const ratios = ops[n]!.map((o, i) => o / ops.rlf![i]!);
    console.log(
      `${n.padEnd(8)} c=${C} ${(median(ops[n]!) / 1000).toFixed(1)}k/s  ${median(ratios).toFixed(2)}x rlf` +
        ` (per round ${ratios.map((x) => x.toFixed(1)).join(' ')})` +
        `  client CPU ${median(cpu[n]!).toFixed(1)} µs/decision  evalsha/decision ${median(perCall[n]!).toFixed(4)}`,
    );
  }
}
await ours.close();
await client.quit();
await server.stop();
