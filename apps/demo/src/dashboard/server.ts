/**
 * `pnpm demo --serve`: the live dashboard. Starts the simulator, a provider with every piece on,
 * the load (with an outage in the middle of each cycle), and an HTTP server with `/` (the page),
 * `/events` (frames as server-sent events) and `/metrics` (the provider's Prometheus text).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCache } from '@x/cache';
import { createOllamaProvider, prometheusText } from '@x/provider-ollama';
import { startDemoSim } from '../target';
import { type EventStreamLimits, EventStreams } from './event-streams';
import { DEFAULT_CYCLE, type Phase, startLoad } from './load';
import { dashboardPage } from './page';
import { Sampler } from './sampler';

export interface DashboardOptions {
  /** Port to listen on (0: a free one). */
  port?: number;
  host?: string;
  /** The load's phases; they repeat unless `loop` is false. */
  cycle?: readonly Phase[];
  loop?: boolean;
  concurrency?: number;
  /** `/events` limits: concurrent clients (32), ms a client may stall before it is dropped (30 s). */
  events?: Partial<EventStreamLimits>;
}

export interface Dashboard {
  /** `http://<host>:<port>` */
  readonly url: string;
  /** `<host>:<port>`, a Prometheus scrape target. */
  readonly target: string;
  readonly sampler: Sampler;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  // A simulator sized so the limiter queues and streams take a visible time.
  const sim = await startDemoSim({ tokensPerSecond: 400, numParallel: 8 });
  const provider = createOllamaProvider({
    baseUrl: sim.url,
    name: 'sim',
    rateLimit: { requestsPerSecond: 40, burst: 10 },
    breaker: { name: 'sim', failureThreshold: 5, openTimeoutMs: 2000, successThreshold: 2 },
    retry: { retries: 1, baseDelayMs: 50 },
    cache: createCache({ strategy: 'selective', minTtlMs: 3000, maxTtlMs: 3000 }),
  });
  const load = startLoad({
    provider,
    sim,
    concurrency: options.concurrency ?? 8,
    cycle: options.cycle ?? DEFAULT_CYCLE,
    loop: options.loop,
  });
  const sampler = new Sampler({ provider, phase: () => load.phase });
  const page = dashboardPage(escapeHtml(sim.url));
  const streams = new EventStreams(() => sampler.frames, options.events);
  sampler.onFrame((frame) => streams.broadcast(frame));

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(prometheusText(provider));
    } else if (path === '/events') {
      streams.accept(res);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      sampler.stop();
      streams.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await load.stop();
      await provider.close();
      await sim.close();
    })();
    return closing;
  };
  return {
    url: `http://${host}:${port}`,
    target: `${host}:${port}`,
    sampler,
    close,
    [Symbol.asyncDispose]: close,
  };
}
