import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { lines, open, send, settlesSoon } from './__fixtures__/client';
import { names, tiny } from './__fixtures__/model-store';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

const fake = fakeClock;

/**
 * Reads NDJSON lines from a stream; while a read waits, fake time moves on by `stepMs` (0: never),
 * so paced progress arrives without real waiting.
 */
function lineReader(stream: { next(): Promise<Buffer | null> }) {
  const got: Record<string, unknown>[] = [];
  let rest = '';
  let ended = false;
  return {
    async until(done: (got: Record<string, unknown>[]) => boolean, stepMs = 60) {
      while (!done(got) && !ended) {
        const pending = stream.next();
        while (stepMs > 0 && !(await settlesSoon(pending)))
          await vi.advanceTimersByTimeAsync(stepMs);
        const chunk = await pending;
        if (chunk === null) ended = true;
        else {
          const parts = (rest + chunk.toString()).split('\n');
          rest = parts.pop()!;
          got.push(...parts.map((l) => JSON.parse(l) as Record<string, unknown>));
        }
      }
      return got;
    },
  };
}

describe('/api/pull', () => {
  it('streams pulling manifest, per-layer progress with digest/total/completed, verifying, writing, success', async () => {
    const s = await start({ registry: [tiny] });
    const res = await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const got = lines(res.text);
    expect(got[0]).toEqual({ status: 'pulling manifest' });
    expect(got.slice(-3)).toEqual([
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]);
    const layers = got.slice(1, -3);
    expect(layers.length).toBeGreaterThanOrEqual(3);
    for (const line of layers) {
      expect(Object.keys(line)).toEqual(['status', 'digest', 'total', 'completed']);
      expect(line.status).toBe(`pulling ${(line.digest as string).slice(7, 19)}`);
      expect(line.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(line.completed).toBe(line.total);
    }
    expect(layers[0]!.total).toBe(3000);
    expect(await names(s)).toContain('tiny:1b');
  });

  it('answers {"status":"success"} as application/json when stream is false', async () => {
    const s = await start({ registry: [tiny] });
    const res = await send(s.url, '/api/pull', { body: { model: 'tiny:1b', stream: false } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text).toBe('{"status":"success"}');
  });

  it("streams Ollama's error line for a model the registry lacks, or answers 500 when not streaming", async () => {
    const s = await start();
    const streamed = await send(s.url, '/api/pull', { body: { model: 'nope:7b' } });
    expect(streamed.status).toBe(200);
    expect(lines(streamed.text)).toEqual([
      { status: 'pulling manifest' },
      { error: 'pull model manifest: file does not exist' },
    ]);
    const whole = await send(s.url, '/api/pull', { body: { model: 'nope:7b', stream: false } });
    expect(whole.status).toBe(500);
    expect(whole.headers['content-type']).toBe('application/json');
    expect(JSON.parse(whole.text)).toEqual({ error: 'pull model manifest: file does not exist' });
    expect(await names(s)).not.toContain('nope:7b');
  });

  it('answers 400 for a missing body and an invalid name', async () => {
    const s = await start();
    const empty = await send(s.url, '/api/pull', { rawBody: '' });
    expect([empty.status, JSON.parse(empty.text)]).toEqual([
      400,
      { error: 'missing request body' },
    ]);
    const bad = await send(s.url, '/api/pull', { body: { model: 'bad name!' } });
    expect([bad.status, JSON.parse(bad.text)]).toEqual([400, { error: 'invalid model name' }]);
  });

  it('reports a cached layer once, complete, when pulled again', async () => {
    const s = await start({ registry: [tiny], transferBytesPerSecond: 1000 });
    fake();
    const first = send(s.url, '/api/pull', { body: { model: 'tiny:1b' } });
    await until(() => s.stats().active === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    await first;
    const again = lines((await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } })).text);
    const weights = again.filter((l) => l.total === 3000);
    expect(weights).toEqual([expect.objectContaining({ total: 3000, completed: 3000 })]);
  });

  it('paces progress by transferBytesPerSecond in 60 ms steps on fake time', async () => {
    fake();
    const s = await start({ registry: [tiny], transferBytesPerSecond: 10_000 });
    const stream = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }));
    const [manifest, first] = await stream.until((got) => got.length >= 2);
    expect(manifest).toEqual({ status: 'pulling manifest' });
    expect(first).toMatchObject({ total: 3000 });
    expect(first!.completed).toBeUndefined();
    const next = stream.until((got) => got.length >= 3, 0);
    expect(await settlesSoon(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    expect((await next)[2]).toMatchObject({ total: 3000, completed: 600 });
    const all = await stream.until(() => false);
    expect(all.at(-1)).toEqual({ status: 'success' });
    expect(all.filter((l) => l.total === 3000).map((l) => l.completed)).toEqual([
      undefined,
      600,
      1200,
      1800,
      2400,
      3000,
    ]);
  });

  it('stops when the client disconnects midway: no model appears, and the next pull resumes', async () => {
    fake();
    const s = await start({ registry: [tiny], transferBytesPerSecond: 10_000 });
    const abort = new AbortController();
    const stream = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }, abort.signal));
    await stream.until((got) => got.some((l) => l.completed === 1200));
    abort.abort();
    await until(() => s.stats().active === 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await names(s)).not.toContain('tiny:1b');
    expect(s.requests[0]!.outcome).toBe('aborted');
    const resumed = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }));
    const all = await resumed.until(() => false);
    expect(all[1]).toMatchObject({ total: 3000, completed: 1200 });
    expect(all.at(-1)).toEqual({ status: 'success' });
    expect(await names(s)).toContain('tiny:1b');
  });

  it('applies faults: an error line after two lines leaves no model', async () => {
    const s = await start({
      registry: [tiny],
      faults: [
        { route: '/api/pull', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
      ],
    });
    const got = lines((await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } })).text);
    expect(got).toHaveLength(3);
    expect(got[2]).toEqual({ error: 'boom' });
    expect(await names(s)).not.toContain('tiny:1b');
    expect(s.stats().faults).toEqual({ 'error-line': 1 });
  });
});

describe('/api/push', () => {
  it('streams retrieving manifest, pushing <digest> progress, pushing manifest, success; then it can be pulled back', async () => {
    const s = await start({ registry: [] });
    await send(s.url, '/api/create', { body: { model: 'me/mine', from: 'llama3.2' } });
    const got = lines((await send(s.url, '/api/push', { body: { model: 'me/mine' } })).text);
    expect(got[0]).toEqual({ status: 'retrieving manifest' });
    expect(got.slice(-2)).toEqual([{ status: 'pushing manifest' }, { status: 'success' }]);
    for (const line of got.slice(1, -2)) {
      expect(line.status).toBe(`pushing ${(line.digest as string).slice(7, 19)}`);
      expect(line.completed).toBe(line.total);
    }
    await send(s.url, '/api/delete', { method: 'DELETE', body: { model: 'me/mine' } });
    const back = await send(s.url, '/api/pull', { body: { model: 'me/mine', stream: false } });
    expect(back.text).toBe('{"status":"success"}');
    expect(await names(s)).toContain('me/mine:latest');
  });

  it('answers 400 "model is required" and an error line for a model it does not have', async () => {
    const s = await start();
    const none = await send(s.url, '/api/push', { body: {} });
    expect([none.status, JSON.parse(none.text)]).toEqual([400, { error: 'model is required' }]);
    const missing = lines((await send(s.url, '/api/push', { body: { model: 'me/nope' } })).text);
    expect(missing.slice(0, 2)).toEqual([
      { status: 'retrieving manifest' },
      { status: "couldn't retrieve manifest" },
    ]);
    expect(missing[2]!.error).toMatch(
      /^open .*\/manifests\/registry\.ollama\.ai\/me\/nope\/latest: no such file or directory$/,
    );
  });
});
