import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { chat, lines, open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

const fake = fakeClock;

/** Reads chunks until `count` complete NDJSON lines have arrived. */
async function readLines(
  stream: { next(): Promise<Buffer | null> },
  count: number,
): Promise<string> {
  let text = '';
  while (text.split('\n').length - 1 < count) {
    const c = await stream.next();
    if (c === null) break;
    text += c.toString('utf8');
  }
  return text;
}

describe('fault: latency', () => {
  it('holds the whole answer back until the latency has passed', async () => {
    fake();
    const s = await start({
      faults: [{ route: '/api/version', fault: { kind: 'latency', ms: 1000 } }],
    });
    const pending = send(s.url, '/api/version');
    expect(await settlesSoon(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settlesSoon(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).text).toBe('{"version":"0.32.15"}');
    expect(s.stats().faults).toEqual({ latency: 1 });
  });

  it('draws latencies from a uniform range within its bounds', async () => {
    fake();
    const s = await start({
      faults: { seed: 3, rules: [{ fault: { kind: 'latency', ms: { min: 100, max: 200 } } }] },
    });
    for (let i = 0; i < 3; i++) {
      const pending = send(s.url, '/api/version');
      await until(() => s.stats().requests === i + 1);
      await vi.advanceTimersByTimeAsync(99);
      expect(await settlesSoon(pending)).toBe(false);
      await vi.advanceTimersByTimeAsync(101);
      expect((await pending).status).toBe(200);
    }
  });
});

describe('fault: slow-headers', () => {
  it('sends the status line and headers only after the delay, also for streams', async () => {
    fake();
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'slow-headers', ms: 5000 } }],
    });
    const pending = open(s.url, '/api/chat', chat());
    expect(await settlesSoon(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    const stream = await pending;
    expect(stream.status).toBe(200);
    const { chunks } = await stream.rest();
    expect(lines(Buffer.concat(chunks).toString()).at(-1)!.done).toBe(true);
  });
});

describe('fault: stall', () => {
  it('pauses before the given chunk for the given time', async () => {
    fake();
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'stall', ms: 30_000, afterChunks: 2 } }],
    });
    const stream = await open(s.url, '/api/chat', chat());
    expect(lines(await readLines(stream, 2))).toHaveLength(2);
    const third = stream.next();
    expect(await settlesSoon(third)).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await third)?.toString()).toContain('"done":false');
    await stream.rest();
  });
});

describe('fault: stall everyChunk', () => {
  it('pauses before every chunk after the first', async () => {
    fake();
    const s = await start({
      reply: () => 'one two three',
      faults: [{ route: '/api/chat', fault: { kind: 'stall', ms: 1000, everyChunk: true } }],
    });
    const stream = await open(s.url, '/api/chat', chat());
    expect(lines((await stream.next())!.toString())).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      const next = stream.next();
      expect(await settlesSoon(next)).toBe(false);
      await vi.advanceTimersByTimeAsync(1000);
      expect(lines((await next)!.toString())).toHaveLength(1);
    }
    expect(await stream.next()).toBeNull();
  });
});

describe('fault: refuse', () => {
  it('refuses connections for a while, then answers on the same port', async () => {
    fake();
    const s = await start({
      faults: [{ route: '/api/version', sequence: [{ kind: 'refuse', ms: 2000 }] }],
    });
    const port = s.port;
    await expect(send(s.url, '/api/version')).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await until(() => !s.stats().listening);
    await expect(send(s.url, '/api/version')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await vi.advanceTimersByTimeAsync(2000);
    await until(() => s.stats().listening);
    expect(s.port).toBe(port);
    expect((await send(s.url, '/api/version')).status).toBe(200);
  });
});
