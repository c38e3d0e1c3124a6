import { describe, expect, it, vi } from 'vitest';
import { send, user } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import { isSimClosedError } from './errors';
import { startOllamaSim } from './sim';

const start = simPerTest();

describe('OllamaSim', () => {
  it('refuses connections after stop() and answers again on the same port after restart()', async () => {
    const s = await start();
    const port = s.port;
    await s.stop();
    await expect(send(s.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await s.restart();
    expect(s.port).toBe(port);
    expect((await send(s.url, '/')).status).toBe(200);
  });

  it('stays closed when close() runs while restart() is on its way', async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await vi.waitFor(() => expect(count()).toBe(0), { timeout: 5_000 });
    const s = await startOllamaSim();
    await s.stop();
    const restarting = s.restart();
    await s.close();
    await expect(restarting).rejects.toMatchObject({ code: 'X_OLLAMA_SIM_CLOSED' });
    expect(s.stats().listening).toBe(false);
    await expect(send(s.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await vi.waitFor(() => expect(count()).toBe(0), { timeout: 5_000 });
  });

  // The client's promise has no handler until after the await: vitest fails the run on an
  // unhandled rejection, so these also check the drop reaches the client only after it resolved.
  for (const end of ['stop', 'close'] as const) {
    it(`${end}() counts a stream it cuts as aborted before it resolves, and the client sees it after`, async () => {
      const s = await start({ tokensPerSecond: 1 });
      const seen: string[] = [];
      s.onRequest((e) => seen.push(e.outcome));
      const pending = send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: user('hi') },
      });
      await vi.waitFor(() => expect(s.stats().active).toBe(1), { timeout: 5_000 });
      await s[end]();
      expect(s.stats()).toMatchObject({ active: 0, aborted: 1 });
      expect(s.requests[0]?.outcome).toBe('aborted');
      expect(seen).toEqual(['aborted']);
      await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    });
  }

  it('leaves no server handle behind after close()', async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await vi.waitFor(() => expect(count()).toBe(0), { timeout: 5_000 });
    const s = await startOllamaSim();
    await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: user('hi') } });
    expect(count()).toBe(1);
    await s.close();
    await s.close();
    await vi.waitFor(() => expect(count()).toBe(0), { timeout: 5_000 });
    expect(() => s.setFaults([])).toThrow(expect.objectContaining({ code: 'X_OLLAMA_SIM_CLOSED' }));
    await s.restart().catch((e: unknown) => expect(isSimClosedError(e)).toBe(true));
  });
});
