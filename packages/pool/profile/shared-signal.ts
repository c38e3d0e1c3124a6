/**
 * What queueing many requests under one shared signal costs: 32,000 `pool.request` calls sharing
 * one `AbortSignal` against a slow loopback server and 4 sockets, timed from the first call until
 * every request is queued, then aborted. Run from packages/pool:
 *
 *   node --import tsx profile/shared-signal.ts [count]
 */
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool } from '../src/index';

const count = Number(process.argv[2] ?? 32_000);
const server = http.createServer((_req, res) => {
  // Slow: the 4 sockets stay busy while every other request waits in the queue.
  setTimeout(() => res.end('ok'), 2_000);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const pool = createPool({ connectionsPerHost: 4, maxConnections: 4 });

const controller = new AbortController();
const started = performance.now();
const requests: Promise<unknown>[] = [];
for (let i = 0; i < count; i++) {
  requests.push(pool.request(url, { signal: controller.signal }).then((r) => r.body.text()));
}
const queuedMs = performance.now() - started;
const listeners = getEventListeners(controller.signal, 'abort').length;
const { queued, pending, running } = pool.stats().totals;

const abortStarted = performance.now();
controller.abort(new Error('stop'));
const outcomes = await Promise.allSettled(requests);
const abortMs = performance.now() - abortStarted;
const rejected = outcomes.filter((o) => o.status === 'rejected').length;

console.log(
  JSON.stringify({
    count,
    queuedMs: Math.round(queuedMs),
    abortMs: Math.round(abortMs),
    listeners,
    queued,
    pending,
    running,
    rejected,
  }),
);
await pool.destroy();
server.close();
