import { createPool } from '@x/pool';
import { request } from 'undici';
import type { Scenario } from '../context';
import { runLoad } from '../load/engine';
import { scaled } from '../profiles';
import { histogramSvg } from '../report/svg';
import { chatMessages, MODEL, startBenchSim } from '../servers/sim';
import { formatMs, formatPct } from '../terminal/table';

export const reuseScenario: Scenario = {
  name: 'reuse',
  title: 'Connection reuse',
  packages: ['@x/pool', '@x/ollama-sim'],
  async run(ctx) {
    const requests = ctx.cli.requests ?? scaled(ctx.profile, 1000, 30);
    const sim = await startBenchSim();
    const url = `${sim.url}/api/chat`;
    const body = JSON.stringify({ model: MODEL, messages: chatMessages(0), stream: false });
    const headers = { 'content-type': 'application/json' };
    try {
      const pool = createPool();
      const c0 = sim.stats().connections;
      const pooled = await runLoad({
        concurrency: 1,
        requests,
        label: 'reuse pool',
        progress: ctx.progress,
        request: async () => {
          const res = await pool.request(url, { method: 'POST', headers, body });
          await res.body.json();
        },
      });
      const poolStats = pool.stats();
      await pool.close();
      const c1 = sim.stats().connections;
      const fresh = await runLoad({
        concurrency: 1,
        requests,
        label: 'reuse none',
        progress: ctx.progress,
        request: async () => {
          // no pooling: the connection is closed after every response
          const res = await request(url, {
            method: 'POST',
            headers: { ...headers, connection: 'close' },
            body,
            reset: true,
          });
          await res.body.json();
        },
      });
      const c2 = sim.stats().connections;
      const saved = 1 - pooled.latency.mean / fresh.latency.mean;
      const chart = ctx.chart(
        'connection-reuse.svg',
        'Latency with and without connection reuse',
        histogramSvg(
          [
            { label: '@x/pool (keep-alive)', values: pooled.records.map((r) => r.ms) },
            { label: 'new connection per request', values: fresh.records.map((r) => r.ms) },
          ],
          {
            title: 'Latency with and without connection reuse',
            subtitle: `${requests} sequential POST /api/chat to @x/ollama-sim on loopback`,
          },
        ),
      );
      return {
        description:
          'Sequential requests through @x/pool, which keeps sockets alive, against the same requests each on a new connection (closed after the response). On loopback a TCP handshake is cheap; over a network (or TLS) the saving grows with the round-trip time.',
        params: { requests, concurrency: 1 },
        metrics: {
          'mean latency, pooled': formatMs(pooled.latency.mean),
          'mean latency, new connection each': formatMs(fresh.latency.mean),
          'setup time saved': formatPct(saved),
          'p50 pooled / new': `${formatMs(pooled.latency.p50)} / ${formatMs(fresh.latency.p50)}`,
          'sockets opened, pooled': c1 - c0,
          'sockets opened, new connection each': c2 - c1,
          'pool reuse ratio': formatPct(poolStats.reuseRatio),
          'pool sockets created / requests served': `${poolStats.socketsCreated} / ${poolStats.requestsServed}`,
        },
        tables: [],
        charts: [chart],
        notes: [
          '`setup time saved` is 1 − (mean latency through @x/pool ÷ mean latency with a new connection per request), over the same sequential requests to the same server: measured on loopback only, where a connection costs the least (see the description for a network).',
        ],
        latency: pooled.latency,
      };
    } finally {
      await sim.close();
    }
  },
};
