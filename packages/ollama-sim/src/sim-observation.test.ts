import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { send, user } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('OllamaSim', () => {
  it('keeps a bounded request log with secrets redacted', async () => {
    const s = await start({ maxLogEntries: 2 });
    await send(s.url, '/api/version', { headers: { authorization: 'Bearer secret' } });
    await send(s.url, '/api/tags');
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('hi'), stream: false },
    });
    // Status and outcome are filled in when the server side of the response closes.
    await vi.waitFor(() => expect(s.requests[1]?.outcome).toBe('completed'), { timeout: 5_000 });
    const log = s.requests;
    expect(log.map((e) => e.path)).toEqual(['/api/tags', '/api/chat']);
    expect(log[1]!.status).toBe(200);
    expect(log[1]!.body).toEqual({ model: 'llama3.2', messages: user('hi'), stream: false });
    expect(JSON.stringify(s.stats())).not.toContain('secret');
    await s.close();
    const again = await start({ maxLogEntries: 5 });
    await send(again.url, '/api/version', { headers: { authorization: 'Bearer secret' } });
    expect(again.requests[0]!.headers.authorization).toBe('[redacted]');
    await send(again.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('x'.repeat(70_000)), stream: false },
    });
    expect(again.requests[1]!.body).toMatch(/^\[\d+ bytes not logged\]$/);
  });

  it('reports stats as a JSON-serialisable snapshot', async () => {
    const s = await start();
    await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: user('hi') } });
    await send(s.url, '/nope');
    await vi.waitFor(() => expect(s.stats().active).toBe(0), { timeout: 5_000 });
    const stats = s.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats.requests).toBe(2);
    expect(stats.byStatus).toEqual({ '200': 1, '404': 1 });
    expect(stats.streams).toBe(1);
    expect(stats.loadedModels).toEqual(['llama3.2:latest']);
  });

  it('calls onRequest listeners until unsubscribed', async () => {
    const s = await start();
    const seen: string[] = [];
    const published: unknown[] = [];
    const onMessage = (m: unknown) => published.push(m);
    diagnostics.subscribe('x:ollama-sim:request', onMessage);
    const off = s.onRequest((e) => seen.push(`${e.path} ${e.status}`));
    await send(s.url, '/api/version');
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5_000 });
    off();
    diagnostics.unsubscribe('x:ollama-sim:request', onMessage);
    await send(s.url, '/api/version');
    expect(seen).toEqual(['/api/version 200']);
    expect(published).toMatchObject([{ path: '/api/version', status: 200, outcome: 'completed' }]);
  });

  it('answers and reports a warning naming the event when an onRequest or onFault listener throws', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const s = await start({
        faults: [{ route: '/api/version', sequence: [{ kind: 'latency', ms: 0 }] }],
      });
      s.onRequest(() => {
        throw new Error('request listener bug');
      });
      s.onFault(() => {
        throw new Error('fault listener bug');
      });
      const seen: number[] = [];
      s.onRequest((e) => seen.push(e.status));
      expect((await send(s.url, '/api/version')).status).toBe(200);
      expect((await send(s.url, '/api/version')).status).toBe(200);
      await vi.waitFor(() => expect(seen).toEqual([200, 200]), { timeout: 5_000 });
      const messages = warn.mock.calls.map((call) => call[0]);
      expect(messages).toContain(
        "@x/ollama-sim: a 'request' listener threw: Error: request listener bug",
      );
      expect(messages).toContain(
        "@x/ollama-sim: a 'fault' listener threw: Error: fault listener bug",
      );
      expect(warn.mock.calls[0]![1]).toMatchObject({
        type: 'XListenerError',
        code: 'X_OLLAMA_SIM_LISTENER_ERROR',
      });
    } finally {
      warn.mockRestore();
    }
  });
});
