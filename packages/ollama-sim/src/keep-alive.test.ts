import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// keep_alive as Ollama's api.Duration reads it and its handlers act on it (server/routes.go,
// server/sched.go expireRunner).

const start = simPerTest();

const fake = fakeClock;
const user = [{ role: 'user', content: 'hi' }];
const loaded = async (s: OllamaSim): Promise<string[]> =>
  (JSON.parse((await send(s.url, '/api/ps')).text).models as { name: string }[]).map((m) => m.name);

describe('keep_alive', () => {
  it('keeps the model loaded for half a second when keep_alive is 0.5 (seconds, not 0)', async () => {
    fake();
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user, stream: false, keep_alive: 0.5 },
    });
    expect(res.status).toBe(200);
    expect(await loaded(s)).toEqual(['llama3.2:latest']);
    await vi.advanceTimersByTimeAsync(501);
    expect(await loaded(s)).toEqual([]);
  });

  it('answers done_reason "unload" for any zero keep_alive with an empty prompt', async () => {
    const s = await start();
    for (const keep_alive of ['0s', '0m', 0.0, '0']) {
      await send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: user, stream: false },
      });
      const chat = await send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: [], keep_alive },
      });
      expect(JSON.parse(chat.text)).toMatchObject({ done: true, done_reason: 'unload' });
      expect(await loaded(s)).toEqual([]);
    }
    const generate = await send(s.url, '/api/generate', {
      body: { model: 'llama3.2', prompt: '', keep_alive: '0ms' },
    });
    expect(JSON.parse(generate.text)).toMatchObject({ done: true, done_reason: 'unload' });
  });

  it('unloads without loading the model first when it is not loaded', async () => {
    fake();
    const s = await start({ loadTimeMs: 5000 });
    const pending = send(s.url, '/api/generate', {
      body: { model: 'llama3.2', prompt: '', keep_alive: 0 },
    });
    expect(await settlesSoon(pending)).toBe(true);
    expect(JSON.parse((await pending).text).done_reason).toBe('unload');
    expect(s.stats().loads).toBe(0);
  });

  it('answers an unload at once while a stream holds the only slot, and unloads when it ends', async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, maxQueue: 0 });
    const opening = open(s.url, '/api/chat', {
      model: 'llama3.2',
      messages: user,
      options: { num_predict: 3 },
    });
    await until(() => s.stats().active === 1);
    await vi.advanceTimersByTimeAsync(100);
    const stream = await opening;
    // The unload answers without a slot: waiting for one would last until the stream ends.
    const unload = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: [], keep_alive: 0 },
    });
    expect(unload.status).toBe(200);
    expect(JSON.parse(unload.text).done_reason).toBe('unload');
    expect(await loaded(s)).toEqual(['llama3.2:latest']);
    await vi.advanceTimersByTimeAsync(300);
    expect((await stream.rest()).error).toBeUndefined();
    await until(() => s.stats().active === 0);
    expect(await loaded(s)).toEqual([]);
  });

  it('keeps a model forever for a number of seconds beyond Go int64 and /api/ps still answers', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user, stream: false, keep_alive: 1e20 },
    });
    expect(res.status).toBe(200);
    const ps = await send(s.url, '/api/ps');
    expect(ps.status).toBe(200);
    expect(JSON.parse(ps.text).models[0].expires_at).toMatch(/^2[3-9]\d\d-/);
  });

  it("answers Go's invalid duration for a duration string beyond int64 nanoseconds", async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user, keep_alive: '3000000h' },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'time: invalid duration "3000000h"' });
  });

  it('is an unknown field, not a 400, on the requests whose Go type has no keep_alive', async () => {
    const s = await start();
    const show = await send(s.url, '/api/show', { body: { model: 'llama3.2', keep_alive: '10' } });
    expect(show.status).toBe(200);
    const copy = await send(s.url, '/api/copy', {
      body: { source: 'llama3.2', destination: 'mine', keep_alive: true },
    });
    expect(copy.status).toBe(200);
  });
});
