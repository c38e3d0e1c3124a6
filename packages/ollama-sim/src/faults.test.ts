import diagnostics from 'node:diagnostics_channel';
import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { lines, open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';
import type { FaultRule } from './faults';
import type { Fixture } from './fixtures';
import { type OllamaSim, startOllamaSim } from './sim';

const start = simPerTest();

const fake = fakeClock;
const chat = (extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  ...extra,
});
const BUSY = 'server busy, please try again.  maximum pending requests exceeded';

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

describe('fault rules', () => {
  async function statuses(s: OllamaSim, n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(s.url, '/api/version')).status);
    return out;
  }
  const coin: FaultRule = { fault: { kind: 'status', status: 500 }, probability: 0.5 };

  it('applies a probability fault identically for the same seed', async () => {
    const a = await startOllamaSim({ faults: { seed: 11, rules: [coin] } });
    const b = await startOllamaSim({ faults: { seed: 11, rules: [coin] } });
    const c = await startOllamaSim({ faults: { seed: 12, rules: [coin] } });
    try {
      const sa = await statuses(a, 24);
      expect(await statuses(b, 24)).toEqual(sa);
      expect(await statuses(c, 24)).not.toEqual(sa);
      expect(sa).toContain(200);
      expect(sa).toContain(500);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('plays a sequence once, or repeatedly with repeat', async () => {
    const seq = [
      { kind: 'status', status: 500 } as const,
      null,
      { kind: 'status', status: 503 } as const,
    ];
    const s = await start({ faults: [{ sequence: seq }] });
    expect(await statuses(s, 5)).toEqual([500, 200, 503, 200, 200]);
    s.setFaults([{ sequence: seq, repeat: true }]);
    expect(await statuses(s, 5)).toEqual([500, 200, 503, 500, 200]);
  });

  it('stops after `times` and only matches its route and model', async () => {
    const s = await start({
      faults: [
        {
          route: '/api/chat',
          model: 'qwen2.5:7b',
          fault: { kind: 'status', status: 500 },
          times: 1,
        },
      ],
    });
    expect((await send(s.url, '/api/chat', { body: chat({ stream: false }) })).status).toBe(200);
    const qwen = chat({ model: 'Qwen2.5:7B', stream: false });
    expect((await send(s.url, '/api/chat', { body: qwen })).status).toBe(500);
    expect((await send(s.url, '/api/chat', { body: qwen })).status).toBe(200);
    expect((await send(s.url, '/api/version')).status).toBe(200);
  });

  it('tells onFault listeners and the x:ollama-sim:fault channel', async () => {
    const s = await start({
      faults: [{ route: '/api/version', fault: { kind: 'status', status: 500 } }],
    });
    const heard: unknown[] = [];
    const published: unknown[] = [];
    const off = s.onFault((e) => heard.push(e));
    const onMessage = (m: unknown) => published.push(m);
    diagnostics.subscribe('x:ollama-sim:fault', onMessage);
    try {
      await send(s.url, '/api/version');
    } finally {
      diagnostics.unsubscribe('x:ollama-sim:fault', onMessage);
      off();
    }
    expect(heard).toEqual([
      { requestId: 1, path: '/api/version', model: undefined, kinds: ['status'] },
    ]);
    expect(published).toEqual(heard);
  });

  const KINDS =
    "'latency', 'slow-headers', 'status', 'rate-limit', 'error-line', 'runner-crash', 'destroy', 'end-without-done', 'stall', 'split', 'refuse', 'replay'";

  it('throws a RangeError listing the fault kinds and the closest one for a misspelt kind', async () => {
    await expect(
      startOllamaSim({ faults: [{ route: '/api/chat', fault: { kind: 'statuss' } as never }] }),
    ).rejects.toThrow(
      new RangeError(
        `Expected \`faults[0].fault.kind\` to be one of ${KINDS} (did you mean 'status'?), got \`"statuss"\` (string)`,
      ),
    );
    const s = await start();
    expect(() =>
      s.setFaults({ rules: [{ sequence: [null, { kind: 'destory' } as never] }] }),
    ).toThrow(
      new RangeError(
        `Expected \`faults.rules[0].sequence[1].kind\` to be one of ${KINDS} (did you mean 'destroy'?), got \`"destory"\` (string)`,
      ),
    );
    expect(() => s.setFaults([{ fault: { kind: 'nope' } as never }])).toThrow(
      new RangeError(
        `Expected \`faults[0].fault.kind\` to be one of ${KINDS}, got \`"nope"\` (string)`,
      ),
    );
    expect(() => s.setFaults([{ fault: { status: 500 } as never }])).toThrow(
      new TypeError(
        `Expected \`faults[0].fault.kind\` to be one of ${KINDS}, got \`undefined\` (undefined)`,
      ),
    );
  });

  it('throws a RangeError naming the closest served route for a route the simulator does not serve', async () => {
    const s = await start();
    const notServed = (path: string, got: string, near: string) =>
      new RangeError(
        `Expected \`${path}\` to be '*' or a path the simulator serves (did you mean '${near}'?), got \`${JSON.stringify(got)}\` (string)`,
      );
    const destroy = { kind: 'destroy' } as const;
    expect(() => s.setFaults([{ route: '/api/caht', fault: destroy }])).toThrow(
      notServed('faults[0].route', '/api/caht', '/api/chat'),
    );
    expect(() => s.setFaults({ rules: [{ route: '/api/chat/', fault: destroy }] })).toThrow(
      notServed('faults.rules[0].route', '/api/chat/', '/api/chat'),
    );
    expect(() => s.setFaults([{ route: ['/api/chat', '/v1/chat'], fault: destroy }])).toThrow(
      notServed('faults[0].route[1]', '/v1/chat', '/v1/chat/completions'),
    );
    // Routed as one blob named `:digst`, but meant as the pattern.
    expect(() => s.setFaults([{ route: '/api/blobs/:digst', fault: destroy }])).toThrow(
      notServed('faults[0].route', '/api/blobs/:digst', '/api/blobs/:digest'),
    );
    expect(() => s.setFaults([{ route: '/metrics', fault: destroy }])).toThrow(
      /^Expected `faults\[0\]\.route` to be '\*' or a path the simulator serves: '\/', '\/api\/version', .*'\/v1\/models\/:model', got `"\/metrics"` \(string\)$/,
    );
    expect(() => s.setFaults([{ route: [], fault: destroy }])).toThrow(
      new RangeError(
        "Expected `faults[0].route` to be a path, a non-empty array of paths or '*', got `[]` (array)",
      ),
    );
  });

  it('accepts every served path, pattern and `*`, and fires on a path with a parameter', async () => {
    const s = await start();
    const routes = [
      '*',
      '/',
      '/api/chat',
      '/api/blobs/:digest',
      '/api/blobs/sha256:0000',
      '/v1/models/:model',
      '/v1/chat/completions',
    ];
    for (const route of routes) s.setFaults([{ route, fault: { kind: 'destroy' } }]);
    s.setFaults([{ route: ['/api/tags', '*'], fault: { kind: 'destroy' } }]);
    s.setFaults([{ route: '/v1/models/llama3.2', sequence: [{ kind: 'status', status: 502 }] }]);
    expect((await send(s.url, '/v1/models/qwen3:4b')).status).toBe(200);
    expect((await send(s.url, '/v1/models/llama3.2')).status).toBe(502);
  });
});
