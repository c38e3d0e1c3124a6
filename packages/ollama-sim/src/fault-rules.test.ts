import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { chat, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { FaultRule } from './faults';
import { type OllamaSim, startOllamaSim } from './sim';

const start = simPerTest();

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
