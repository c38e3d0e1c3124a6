import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { chat, lines, open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';
import type { Fixture } from './fixtures';

const start = simPerTest();

const fake = fakeClock;

const BUSY = 'server busy, please try again.  maximum pending requests exceeded';

describe('fault: status', () => {
  it("answers Ollama's 503 text before any stream", async () => {
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'status', status: 503 } }],
    });
    const res = await send(s.url, '/api/chat', { body: chat({ stream: true }) });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(`{"error":"${BUSY}"}`);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('answers a custom error text or raw body', async () => {
    const s = await start({
      faults: [
        {
          route: '/api/chat',
          sequence: [
            {
              kind: 'status',
              status: 500,
              error: 'llama runner process has terminated: exit status 2',
            },
            {
              kind: 'status',
              status: 502,
              body: '<html>bad gateway</html>',
              contentType: 'text/html',
            },
          ],
        },
      ],
    });
    const a = await send(s.url, '/api/chat', { body: chat() });
    expect(a.status).toBe(500);
    expect(JSON.parse(a.text)).toEqual({
      error: 'llama runner process has terminated: exit status 2',
    });
    const b = await send(s.url, '/api/chat', { body: chat() });
    expect(b.status).toBe(502);
    expect(b.headers['content-type']).toBe('text/html');
    expect(b.text).toBe('<html>bad gateway</html>');
    expect((await send(s.url, '/api/chat', { body: chat() })).status).toBe(200);
  });
});

describe('fault: error-line', () => {
  it('ends a 200 stream with an {"error"} line after the given chunks', async () => {
    const s = await start({
      faults: [
        { route: '/api/chat', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
      ],
    });
    const res = await send(s.url, '/api/chat', { body: chat() });
    expect(res.status).toBe(200);
    const got = lines(res.text);
    expect(got).toHaveLength(3);
    expect(got[0]!.done).toBe(false);
    expect(got[2]).toEqual({ error: 'boom' });
    expect(res.error).toBeUndefined();
  });

  it('becomes a plain HTTP 500 when no chunk was written yet or the request does not stream', async () => {
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'error-line', afterChunks: 0 } }],
    });
    const streamed = await send(s.url, '/api/chat', { body: chat() });
    expect(streamed.status).toBe(500);
    expect(streamed.headers['content-type']).toBe('application/json');
    const whole = await send(s.url, '/api/chat', { body: chat({ stream: false }) });
    expect(whole.status).toBe(500);
    expect(JSON.parse(whole.text).error).toMatch(
      /^an error was encountered while running the model/,
    );
  });
});

describe('fault: destroy', () => {
  it('breaks the connection mid-stream after the given chunks', async () => {
    fake();
    const s = await start({
      faults: [
        {
          route: '/api/chat',
          // The stall lets the client see the headers before the connection breaks.
          fault: [
            { kind: 'stall', ms: 100, afterChunks: 3 },
            { kind: 'destroy', afterChunks: 3 },
          ],
        },
      ],
    });
    const stream = await open(s.url, '/api/chat', chat());
    expect(stream.status).toBe(200);
    const rest = stream.rest();
    await vi.advanceTimersByTimeAsync(100);
    const { chunks, error } = await rest;
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    const got = lines(Buffer.concat(chunks).toString());
    expect(got).toHaveLength(3);
    expect(got.every((l) => l.done === false)).toBe(true);
    await until(() => s.requests[0]?.outcome === 'cut');
  });

  it('breaks the connection before any header when afterChunks is 0', async () => {
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'destroy', afterChunks: 0 } }],
    });
    await expect(send(s.url, '/api/chat', { body: chat() })).rejects.toMatchObject({
      code: 'UND_ERR_SOCKET',
    });
  });
});

describe('fault: end-without-done', () => {
  it('ends the stream cleanly but without the done chunk', async () => {
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'end-without-done' } }],
    });
    const res = await send(s.url, '/api/chat', { body: chat() });
    expect(res.status).toBe(200);
    expect(res.error).toBeUndefined();
    const got = lines(res.text);
    expect(got.length).toBeGreaterThan(0);
    expect(got.some((l) => l.done === true)).toBe(false);
  });

  it('cuts a non-streamed JSON body in half', async () => {
    const s = await start({
      faults: [{ route: '/api/chat', fault: { kind: 'end-without-done' } }],
    });
    const res = await send(s.url, '/api/chat', { body: chat({ stream: false }) });
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.text.startsWith('{"model":"llama3.2"')).toBe(true);
  });
});

describe('fault: split', () => {
  it('writes the body in pieces at the given byte offsets, even inside a UTF-8 character', async () => {
    fake();
    const s = await start({ reply: () => 'café au lait' });
    const first = lines((await send(s.url, '/api/chat', { body: chat() })).text)[0]!;
    const firstLine = Buffer.from(`${JSON.stringify(first)}\n`);
    const e = firstLine.indexOf(Buffer.from('é'));
    expect(e).toBeGreaterThan(0);
    s.setFaults([{ route: '/api/chat', fault: { kind: 'split', at: [e + 1], gapMs: 50 } }]);
    const stream = await open(s.url, '/api/chat', chat());
    const a = (await stream.next())!;
    expect(a.length).toBe(e + 1);
    expect(a.at(-1)).toBe(0xc3); // the first byte of "é" ends this write
    const b = stream.next();
    expect(await settlesSoon(b)).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect((await b)![0]).toBe(0xa9); // and its second byte starts the next one
    const { chunks } = await stream.rest();
    const text = Buffer.concat([a, (await b)!, ...chunks]).toString('utf8');
    expect(
      lines(text)
        .map((l) => (l.message as { content: string }).content)
        .join(''),
    ).toBe('café au lait');
  });

  it('splits every N bytes', async () => {
    fake();
    const s = await start({
      faults: [{ route: '/api/version', fault: { kind: 'split', every: 5, gapMs: 1 } }],
    });
    const pending = send(s.url, '/api/version');
    await until(() => s.stats().requests === 1);
    for (let i = 0; i < 10 && !(await settlesSoon(pending)); i++)
      await vi.advanceTimersByTimeAsync(1);
    const res = await pending;
    expect(res.text).toBe('{"version":"0.32.15"}');
    expect(res.chunks.map((c) => c.length)).toEqual([5, 5, 5, 5, 1]);
  });
});

describe('fault: replay', () => {
  it('serves writes_base64 with write_delays_ms byte for byte', async () => {
    fake();
    const body =
      '{"model":"m","created_at":"2026-08-24T09:15:02Z","message":{"role":"assistant","content":"café"},"done":false}\n';
    const bytes = Buffer.from(body);
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const fixture: Fixture = {
      request: { method: 'POST', path: '/api/chat', body: null },
      response: {
        status: 200,
        headers: { 'Content-Type': 'application/x-ndjson' },
        writes_base64: [
          bytes.subarray(0, cut).toString('base64'),
          bytes.subarray(cut).toString('base64'),
        ],
        write_delays_ms: [0, 250],
      },
    };
    const s = await start({ faults: [{ route: '/api/chat', fault: { kind: 'replay', fixture } }] });
    const stream = await open(s.url, '/api/chat', chat());
    const a = (await stream.next())!;
    expect(a.equals(bytes.subarray(0, cut))).toBe(true);
    const b = stream.next();
    expect(await settlesSoon(b)).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    expect((await b)!.equals(bytes.subarray(cut))).toBe(true);
    expect(await stream.next()).toBeNull();
  });
});
