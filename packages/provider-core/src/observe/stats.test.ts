import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

describe('ProviderCore.stats', () => {
  it('breaks the counters down by model, keeping the totals and their fields', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const p = observedProvider(server.url, { retry: false });
    cleanup.push(() => p.core.close());
    await p.complete(ask('a'));
    await p.complete(ask('a'));
    for await (const _ of p.stream(ask('b')));
    server.status = 503;
    await p.complete(ask('b')).catch(() => {});
    const stats = p.core.stats();
    expect(stats).toMatchObject({
      requests: 4,
      successes: 3,
      failures: 1,
      failuresByCode: { X_PROVIDER_REPLY_SERVER_BUSY: 1 },
      promptTokens: 12,
      rateLimitAdmitted: 0,
    });
    expect(stats.latencyMs.count).toBe(3);
    expect(stats.firstTokenMs.count).toBe(1);
    expect(stats.byModel.a).toMatchObject({
      requests: 2,
      successes: 2,
      failures: 0,
      promptTokens: 8,
      inFlight: 0,
    });
    expect(stats.byModel.a!.latencyMs.count).toBe(2);
    expect(stats.byModel.a!.latencyMs.p50).toBeGreaterThan(0);
    expect(stats.byModel.b).toMatchObject({
      requests: 2,
      successes: 1,
      failures: 1,
      failuresByCode: { X_PROVIDER_REPLY_SERVER_BUSY: 1 },
      attempts: 2,
    });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('labels its metrics with the name it is given, and refuses an empty one', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const p = observedProvider(server.url, { name: 'gpu-7' });
    cleanup.push(() => p.core.close());
    expect(p.core.name).toBe('gpu-7');
    await p.complete(ask('a'));
    expect(p.core.toPrometheus()).toContain(
      'x_provider_reply_requests_total{provider="gpu-7",model="a"} 1',
    );
    expect(() => observedProvider(server.url, { name: '' })).toThrow(
      new RangeError('Expected `name` to be a non-empty string, got `""` (string)'),
    );
  });

  it('keeps a model named __proto__ in byModel like any other, as a plain object that serialises the same', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const p = observedProvider(server.url, { retry: false });
    cleanup.push(() => p.core.close());
    for (const model of ['a', '__proto__', 'b']) await p.complete(ask(model));
    const { byModel } = p.core.stats();
    expect(Object.keys(byModel)).toEqual(['a', '__proto__', 'b']);
    expect(Object.getPrototypeOf(byModel)).toBe(Object.prototype);
    expect(Object.hasOwn(byModel, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(byModel, '__proto__')?.value).toMatchObject({
      requests: 1,
      successes: 1,
    });
    const json = JSON.stringify(byModel);
    expect(json.startsWith('{"a":{"requests":1,')).toBe(true);
    expect(json).toContain('},"__proto__":{"requests":1,');
    expect(Object.keys(JSON.parse(json))).toEqual(['a', '__proto__', 'b']);
  });
});
