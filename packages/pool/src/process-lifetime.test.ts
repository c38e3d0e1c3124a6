import { fileURLToPath } from 'node:url';
import { runModuleScript } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

// A child process whose only pending work is a request to the pool: an unref'd timer bounding
// it would let Node exit with an unsettled top-level await (code 13) instead of failing it.
const runScript = (body: string) => runModuleScript(entry, 'pool', body);

// Each test starts a child Node that loads the source through tsx: seconds on a loaded machine,
// past vitest's 5 s default (the bounds under test are measured inside the child).
describe('process lifetime', { timeout: 20_000 }, () => {
  it('fails with PoolDnsError after connectTimeoutMs when the resolver never answers', async () => {
    const result = await runScript(`
      const p = pool.createPool({ connectTimeoutMs: 300, resolver: () => new Promise(() => {}) });
      const started = performance.now();
      try {
        await p.request('http://hang.test:1/');
      } catch (error) {
        console.log(error.name, performance.now() - started >= 290);
      }
    `);
    expect(result).toEqual({ code: 0, stdout: 'PoolDnsError true\n', stderr: '' });
  });

  it('fails a request queued behind a hung lookup with PoolTimeoutError', async () => {
    const result = await runScript(`
      const p = pool.createPool({
        connectionsPerHost: 1,
        connectTimeoutMs: 5_000,
        queueTimeoutMs: 200,
        resolver: () => new Promise(() => {}),
      });
      p.request('http://hang.test:1/').catch(() => {});
      try {
        await p.request('http://hang.test:1/');
      } catch (error) {
        console.log(error.name);
      }
      await p.destroy();
    `);
    expect(result).toEqual({ code: 0, stdout: 'PoolTimeoutError\n', stderr: '' });
  });

  it('lets the process exit once nothing is pending: keep-alive sockets, an abandoned lookup', async () => {
    const result = await runScript(`
      import http from 'node:http';
      const server = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      // The server's side must not hold the process open: only the pool's handles are measured.
      server.unref();
      server.on('connection', (socket) => socket.unref());
      const { port } = server.address();
      const p = pool.createPool({ connectTimeoutMs: 10_000, resolver: () => new Promise(() => {}) });
      const res = await p.request('http://127.0.0.1:' + port + '/');
      console.log(await res.body.text());
      // The caller gives up on a lookup that never answers: nothing is left to wait for.
      const controller = new AbortController();
      const pending = p.request('http://hang.test:1/', { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('gone')), 20);
      await pending.catch((error) => console.log(error.message));
      globalThis.started = performance.now();
      process.on('exit', () => console.log(performance.now() - globalThis.started < 2_000));
    `);
    expect(result).toEqual({ code: 0, stdout: 'ok\ngone\ntrue\n', stderr: '' });
  });
});
