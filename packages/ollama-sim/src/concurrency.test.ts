import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { lines, open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

const fake = fakeClock;
const chat = (extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'hi' }],
  stream: false,
  options: { num_predict: 5 },
  ...extra,
});

describe('queueing', () => {
  it("answers 503 with Ollama's exact text when maxQueue requests already wait for a load", async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, numParallel: 1, maxQueue: 1 });
    const window = (num_ctx: number) => ({ num_predict: 5, num_ctx });
    const first = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().loadedModels.length === 1);
    // Another window is a reload, which waits until nobody holds the runner: the scheduler is
    // busy with it, and the next request for yet another window waits in its queue.
    const reload = send(s.url, '/api/chat', { body: chat({ options: window(8192) }) });
    await until(() => s.stats().queued === 1);
    const pending = send(s.url, '/api/chat', { body: chat({ options: window(2048) }) });
    await until(() => s.stats().queued === 2);
    const third = await send(s.url, '/api/chat', {
      body: chat({ stream: true, options: window(16384) }),
    });
    expect(third.status).toBe(503);
    expect(third.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(third.text).toBe(
      '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
    );
    expect(await settlesSoon(first)).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect((await first).status).toBe(200);
    await vi.advanceTimersByTimeAsync(500);
    expect((await reload).status).toBe(200);
    await vi.advanceTimersByTimeAsync(500);
    expect((await pending).status).toBe(200);
    expect(s.stats()).toMatchObject({ rejected: 1, peakQueued: 2, queued: 0, loads: 3 });
  });

  it('lets requests for a loaded, busy model wait for its slot without limit (no 503)', async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, numParallel: 1, maxQueue: 0 });
    const first = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().loadedModels.length === 1 && s.stats().active === 1);
    const waiting = [1, 2, 3].map(() => send(s.url, '/api/chat', { body: chat() }));
    await until(() => s.stats().queued === 3);
    expect(await settlesSoon(waiting[0]!)).toBe(false);
    await vi.advanceTimersByTimeAsync(2000);
    expect((await first).status).toBe(200);
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.stats()).toMatchObject({ rejected: 0, peakQueued: 3, loads: 1 });
  });

  it('runs numParallel requests of one model at once and queues the rest in order', async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, numParallel: 2 });
    const order: number[] = [];
    const all = [0, 1, 2].map((i) =>
      send(s.url, '/api/chat', { body: chat() }).then((r) => {
        order.push(i);
        return r;
      }),
    );
    await until(() => s.stats().active === 3 && s.stats().queued === 1);
    await vi.advanceTimersByTimeAsync(500);
    await until(() => order.length === 2);
    expect(order.sort()).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(all);
    expect(order).toHaveLength(3);
  });

  it('loads once for requests that arrive during the load, queueing none of them', async () => {
    fake();
    const s = await start({ loadTimeMs: 1000, numParallel: 4, maxQueue: 0 });
    const all = [1, 2, 3].map(() => send(s.url, '/api/chat', { body: chat() }));
    await until(() => s.stats().active === 3);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await Promise.all(all)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.stats()).toMatchObject({ loads: 1, peakQueued: 0, rejected: 0 });
  });

  it('gives each model its own slots', async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, maxQueue: 0 });
    const a = send(s.url, '/api/chat', { body: chat() });
    const b = send(s.url, '/api/chat', { body: chat({ model: 'qwen2.5:7b' }) });
    await until(() => s.stats().active === 2 && s.stats().loadedModels.length === 2);
    expect(s.stats().queued).toBe(0);
    // A third for the first model waits for that model's slot only.
    const c = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().queued === 1);
    await vi.advanceTimersByTimeAsync(500);
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
    await vi.advanceTimersByTimeAsync(500);
    expect((await c).status).toBe(200);
  });

  it('frees the slot of a client that disconnects while waiting or generating', async () => {
    fake();
    const s = await start({ tokensPerSecond: 10, maxQueue: 1 });
    const streamAbort = new AbortController();
    const opening = open(s.url, '/api/chat', chat({ stream: true }), streamAbort.signal);
    await until(() => s.stats().active === 1);
    await vi.advanceTimersByTimeAsync(100); // headers leave with the first token
    const streaming = await opening;
    const waitAbort = new AbortController();
    const waiting = send(s.url, '/api/chat', { body: chat(), signal: waitAbort.signal }).catch(
      (e: unknown) => e,
    );
    await until(() => s.stats().queued === 1);
    waitAbort.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await until(() => s.stats().queued === 0);
    expect(s.stats().active).toBe(1);
    await streaming.next();
    streamAbort.abort();
    await until(() => s.stats().active === 0);
    expect(s.stats().aborted).toBe(2);
    expect(s.requests.map((r) => r.outcome)).toEqual(['aborted', 'aborted']);
    // The slot is free again: a new request is answered.
    const next = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().active === 1);
    await vi.advanceTimersByTimeAsync(500);
    expect((await next).status).toBe(200);
  });
});

describe('timing', () => {
  it('waits the load time before the first answer and reports it as load_duration', async () => {
    fake();
    const s = await start({ loadTimeMs: 3000 });
    const first = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().active === 1);
    expect(await settlesSoon(first)).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    const body = JSON.parse((await first).text);
    expect(body.load_duration).toBeGreaterThanOrEqual(3e9);
    const warm = JSON.parse((await send(s.url, '/api/chat', { body: chat() })).text);
    expect(warm.load_duration).toBeLessThan(1e9);
  });

  it('produces tokens at tokensPerSecond and reports eval_duration in nanoseconds', async () => {
    fake();
    const s = await start({ tokensPerSecond: 20 });
    const stream = await (async () => {
      const pending = open(s.url, '/api/chat', chat({ stream: true }));
      await until(() => s.stats().active === 1);
      await vi.advanceTimersByTimeAsync(50);
      return pending;
    })();
    const first = await stream.next();
    expect(lines(first!.toString())).toHaveLength(1);
    const second = stream.next();
    expect(await settlesSoon(second)).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    await second;
    await vi.advanceTimersByTimeAsync(1000);
    const { chunks } = await stream.rest();
    const final = lines(Buffer.concat(chunks).toString()).at(-1)!;
    expect(final.eval_count).toBe(5);
    expect(final.eval_duration).toBe(250_000_000);
    expect(Math.round(((final.eval_count as number) / (final.eval_duration as number)) * 1e9)).toBe(
      20,
    );
  });

  it('takes prompt evaluation time from promptTokensPerSecond', async () => {
    fake();
    const s = await start({ promptTokensPerSecond: 100 });
    const pending = send(s.url, '/api/chat', { body: chat() });
    await until(() => s.stats().active === 1);
    // 4 + (4 + 1) = 9 prompt tokens -> 90 ms
    await vi.advanceTimersByTimeAsync(89);
    expect(await settlesSoon(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const body = JSON.parse((await pending).text);
    expect(body.prompt_eval_count).toBe(9);
    expect(body.prompt_eval_duration).toBe(90_000_000);
  });
});
