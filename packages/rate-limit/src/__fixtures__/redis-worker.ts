/**
 * One of the worker processes of the cross-process test: it shares one Redis token bucket with
 * its siblings, calls `tryAcquire()` as fast as it reasonably can until told to stop, and reports
 * each admission as the interval [sent, received] (the system-wide monotonic clock, sub-ms) that
 * contains the decision Redis made.
 */
import Redis from 'ioredis';
import { createRedisTokenBucket } from '../redis';

const url = process.env.REDIS_URL!;
const key = process.env.BUCKET_KEY!;
const ratePerSecond = Number(process.env.RATE);
const capacity = Number(process.env.CAPACITY);
const durationMs = Number(process.env.DURATION_MS);

// One clock for every worker: CLOCK_MONOTONIC is system-wide, while each process derives
// performance.timeOrigin from the wall clock at its own start (a millisecond or two apart).
const now = () => Number(process.hrtime.bigint()) / 1e6;
const client = new Redis(url, { maxRetriesPerRequest: 1 });
const bucket = createRedisTokenBucket({ client, key, ratePerSecond, capacity, outagePolicy: 'fail-closed' });
const admitted: [number, number][] = [];
let calls = 0;

process.once('message', async () => {
  const end = now() + durationMs;
  while (now() < end) {
    const sent = now();
    const ok = await bucket.tryAcquire(1);
    const received = now();
    calls++;
    if (ok) admitted.push([sent, received]);
    else await new Promise((r) => setTimeout(r, 2));
  }
  process.send!({ admitted, calls, stats: bucket.stats() }, () => {
    client.quit().finally(() => process.exit(0));
  });
});
process.send!('ready');
