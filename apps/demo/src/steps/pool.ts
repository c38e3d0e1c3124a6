import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createPool } from '@x/pool';
import { bold, ms, type Out, pct } from '../output';
import type { Target } from '../target';

/** One GET on a connection of its own (`agent: false`: a new socket, closed after the response). */
function withoutPooling(url: string): Promise<void> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', reject);
    }).on('error', reject);
  });
}

export async function poolStep(out: Out, target: Target): Promise<void> {
  const n = 60;
  out.explain(
    `${n} sequential GET /api/version calls through @x/pool, which keeps sockets alive, then the same`,
    'calls each on a new connection. The pool opens one socket and reuses it; its stats say so.',
  );
  const url = `${target.baseUrl}/api/version`;
  const pool = createPool();
  // warm both paths up first, so the comparison is not about JIT compilation
  for (let i = 0; i < 10; i++) {
    await (await pool.request(url)).body.text();
    await withoutPooling(url);
  }
  const before = pool.stats();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await pool.request(url);
    await res.body.text();
  }
  const pooledMs = (performance.now() - t0) / n;
  const stats = pool.stats();
  await pool.close();

  t0 = performance.now();
  for (let i = 0; i < n; i++) await withoutPooling(url);
  const freshMs = (performance.now() - t0) / n;

  out.line(
    `pooled: ${bold(ms(pooledMs))} per call · new connection each time: ${bold(ms(freshMs))} per call · saved ${bold(pct(1 - pooledMs / freshMs))}`,
  );
  out.line(
    `pool stats: ${stats.socketsCreated} socket(s) created for ${stats.requestsServed} requests (${stats.socketsCreated - before.socketsCreated} during the ${n} measured), reuse ratio ${pct(stats.reuseRatio)}, limits ${stats.limits.connectionsPerHost}/host and ${stats.limits.maxConnections} in total`,
  );
}
