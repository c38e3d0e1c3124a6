// Real sockets on loopback against the real dashboard server: a client that never reads, clients
// past the cap. Frames are driven by calling the server's own frame listener (what the sampler's
// tick calls), with frames padded so a few hundred of them outrun the kernel's socket buffers.
import http from 'node:http';
import net from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Frame, Sampler } from './sampler';
import { type Dashboard, type DashboardOptions, startDashboard } from './server';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
  vi.restoreAllMocks();
});

/** The dashboard, with a hold on its frame listeners and on its server-side `/events` responses. */
async function dashboard(options: DashboardOptions = {}) {
  const onFrame = vi.spyOn(Sampler.prototype, 'onFrame');
  const writeHead = vi.spyOn(http.ServerResponse.prototype, 'writeHead');
  const started: Dashboard = await startDashboard({
    port: 0,
    cycle: [{ name: 'normal', ms: 60_000 }],
    loop: false,
    concurrency: 1,
    ...options,
  });
  cleanup.push(() => started.close());
  const streams = () =>
    writeHead.mock.contexts.filter(
      (res): res is http.ServerResponse =>
        res instanceof http.ServerResponse && res.req.url === '/events',
    );
  const frame = (pad: number) => {
    const padded = { ...started.sampler.frames.at(-1), pad: 'x'.repeat(pad) } as unknown as Frame;
    for (const [listener] of onFrame.mock.calls) listener(padded);
  };
  const { port } = new URL(started.url);
  return { url: started.url, port: Number(port), streams, frame };
}

/** A client that sends `GET /events` and never reads a byte of the answer. */
async function stalledClient(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  cleanup.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.pause();
  socket.write('GET /events HTTP/1.1\r\nHost: dashboard\r\n\r\n');
  return socket;
}

function getStatus(url: string): Promise<{ status: number; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => resolve({ status: res.statusCode ?? 0, res }));
    req.on('error', reject);
    cleanup.push(() => req.destroy());
  });
}

describe('the dashboard /events stream', () => {
  it('holds a bounded number of bytes for a client that never reads, however many frames go by', async () => {
    const board = await dashboard();
    await stalledClient(board.port);
    await vi.waitFor(() => expect(board.streams()).toHaveLength(1), { timeout: 5_000 });
    const [res] = board.streams() as [http.ServerResponse];
    let most = 0;
    // 320 frames of 64 KiB: 20 MiB, several times what loopback's socket buffers take in.
    for (let i = 0; i < 320; i++) {
      board.frame(64 * 1024);
      most = Math.max(most, res.writableLength);
      if (i % 8 === 0) await turn();
    }
    expect(res.destroyed).toBe(false);
    // The socket's high-water mark (16 KiB), plus the one frame that crossed it.
    expect(most).toBeLessThan(256 * 1024);
  }, 30_000);

  it('drops a client that stays stalled, which frees its place', async () => {
    const board = await dashboard({ events: { maxClients: 1, stallMs: 200 } });
    await stalledClient(board.port);
    await vi.waitFor(() => expect(board.streams()).toHaveLength(1), { timeout: 5_000 });
    const [res] = board.streams() as [http.ServerResponse];
    for (let i = 0; i < 320 && res.writableLength < 16 * 1024; i++) {
      board.frame(64 * 1024);
      await turn();
    }
    await vi.waitFor(() => expect(res.destroyed).toBe(true), { timeout: 5_000 });
    const next = await getStatus(`${board.url}/events`);
    expect(next.status).toBe(200);
  }, 30_000);

  it('answers 503 to the client past the cap, and takes one again after a client leaves', async () => {
    const board = await dashboard({ events: { maxClients: 2 } });
    const first = await getStatus(`${board.url}/events`);
    const second = await getStatus(`${board.url}/events`);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await getStatus(`${board.url}/events`);
    expect(third.status).toBe(503);
    expect(third.res.headers['retry-after']).toBe('10');
    first.res.destroy();
    await vi.waitFor(
      async () => {
        const again = await getStatus(`${board.url}/events`);
        again.res.destroy();
        expect(again.status).toBe(200);
      },
      { timeout: 5_000 },
    );
  }, 30_000);
});
