import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { pair } from './__fixtures__/routers';

// The listeners and diagnostics channels, stats() and toPrometheus().

describe('events', () => {
  it('reports answers, fallbacks and failures to listeners and diagnostics channels', async () => {
    const { a, b, router } = pair();
    const seen: [string, unknown][] = [];
    router.onResponse((e) => seen.push(['response', e]));
    router.onFallback((e) => seen.push(['fallback', e]));
    router.onError((e) => seen.push(['error', e]));
    const channel: unknown[] = [];
    const onMessage = (message: unknown) => channel.push(message);
    subscribe('x:router:fallback', onMessage);
    try {
      a.script = [apiError(503)];
      await router.complete({ model: 'chat', messages: HI });
      a.script = [apiError(503)];
      b.script = [apiError(502)];
      await router.complete({ model: 'chat', messages: HI }).catch(() => {});
    } finally {
      unsubscribe('x:router:fallback', onMessage);
    }
    const fallback = {
      operation: 'complete',
      group: 'chat',
      from: 'a',
      reason: 'error',
      code: 'X_PROVIDER_FAKE_API',
      kind: 'api',
      message: 'Fake /chat answered 503: status 503',
    };
    expect(seen).toEqual([
      ['fallback', fallback],
      [
        'response',
        {
          operation: 'complete',
          group: 'chat',
          deployment: 'b',
          servedBy: 'chat',
          fallbacks: 1,
          latencyMs: expect.any(Number),
        },
      ],
      ['fallback', fallback],
      [
        'error',
        {
          operation: 'complete',
          group: 'chat',
          code: 'X_ROUTER_ALL_FAILED',
          name: 'RouterError',
          message: expect.stringContaining('Every deployment of "chat" failed'),
          calls: 2,
        },
      ],
    ]);
    expect(channel).toEqual([fallback, fallback]);
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { router } = pair();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      router.onResponse(() => {
        throw new Error('listener bug');
      });
      const answer = await router.complete({ model: 'chat', messages: HI });
      expect(answer.route.deployment).toBe('a');
      await vi.waitFor(() => expect(warnings).toHaveLength(1), { timeout: 5_000 });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toMatchObject({
      name: 'XListenerError',
      code: 'X_ROUTER_LISTENER_ERROR',
      message: "@x/router: a 'response' listener threw: Error: listener bug",
    });
  });
});

describe('stats and toPrometheus', () => {
  it('counts calls, fallbacks and each deployment, and never resets', async () => {
    const { a, router } = pair();
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    await router.complete({ model: 'chat', messages: HI });
    const stats = router.stats();
    expect(stats).toMatchObject({
      requests: 2,
      successes: 2,
      failures: 0,
      inFlight: 0,
      fallbacks: 1,
      strategy: 'weighted-random',
      groups: { chat: { requests: 2, successes: 2, failures: 0, fallbacks: 1 } },
      state: { kind: 'local' },
    });
    expect(stats.deployments.a).toMatchObject({
      group: 'chat',
      model: 'model-a',
      status: 'healthy',
      calls: 2,
      successes: 1,
      failures: 1,
      inFlight: 0,
      breaker: undefined,
    });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(JSON.parse(JSON.stringify(router.stats())));
  });

  it('is what util.inspect (console.log) prints, not an empty Router {}', () => {
    const { router } = pair();
    const text = inspect(router);
    expect(text).toMatch(/^Router \{\s+requests: 0,/);
    expect(text).toContain("strategy: 'weighted-random'");
    expect(text).not.toMatch(/RouterRuntime|Router \{\}/);
    expect(inspect({ a: { b: router } }, { depth: 1 })).toBe('{ a: { b: [Router] } }');
  });

  it('renders every metric as x_router_* in a text format a parser reads', async () => {
    const { a, router } = pair();
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    const text = router.toPrometheus();
    const samples = new Map<string, number>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#')) {
        expect(line).toMatch(/^# (HELP|TYPE) x_router_[a-z_]+ .+$/);
        continue;
      }
      const match =
        /^(x_router_[a-z_]+)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (\S+)$/.exec(
          line,
        );
      expect(match, line).not.toBeNull();
      samples.set(`${match![1]}${match![2] ?? ''}`, Number(match![3]));
    }
    expect(samples.get('x_router_requests_total{group="chat"}')).toBe(1);
    expect(samples.get('x_router_fallbacks_total{group="chat"}')).toBe(1);
    expect(samples.get('x_router_deployment_failures_total{deployment="a",group="chat"}')).toBe(1);
    expect(samples.get('x_router_deployment_status{deployment="a",status="healthy"}')).toBe(1);
    expect(samples.get('x_router_in_flight')).toBe(0);
  });
});
