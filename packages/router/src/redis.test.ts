import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { apiError, type FakeProvider, fakeProvider, HI } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';
import { createRedisRouterState } from './redis';
import { CLAIM_SCRIPT } from './redis-scripts';
import { createRouter, type Router } from './router';

/**
 * The Redis state against a real `redis-server` (real clock: Redis and its sockets are real).
 * Two routers in this process stand for two instances; `shared.test.ts` runs three processes.
 */
const open: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

function client(url = inject('redisUrl')): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => {}); // reconnection errors while a server is stopped on purpose
  open.push(() => redis.disconnect());
  return redis;
}

/** One instance: a router over deployments `a` (first) and `b`, sharing `prefix` through Redis. */
function instance(
  prefix: string,
  providers: { a: FakeProvider; b: FakeProvider },
  options: { url?: string; durationMs?: number } = {},
): Router {
  const router = routerOverRedis({
    client: client(options.url),
    prefix,
    providers,
    durationMs: options.durationMs,
  });
  open.push(() => router.close());
  return router;
}

const ask = (router: Router) => router.complete({ model: 'chat', messages: HI });
const providers = () => ({ a: fakeProvider('a'), b: fakeProvider('b') });

/** One instance under a fresh prefix that took `a` out (two failures) and told Redis so. */
async function coolingInRedis() {
  const prefix = `test:${randomUUID()}:`;
  const shared = providers();
  const one = instance(prefix, shared);
  shared.a.fallback = apiError(503);
  await ask(one);
  await ask(one);
  await vi.waitFor(() => expect(one.stats().state).toMatchObject({ published: 1 }), {
    timeout: 5_000,
  });
  return { prefix, shared, one };
}

describe('createRedisRouterState', () => {
  it('throws for a client without eval(), without duplicate() and no subscriber, or an unknown key', () => {
    expect(() => createRedisRouterState({ client: {} as never })).toThrow(
      /Expected `client` to be a Redis client with eval\(\) \(ioredis 5 or 6\)/,
    );
    const evalOnly = { eval: async () => 1 };
    expect(() => createRedisRouterState({ client: evalOnly })).toThrow(TypeError);
    expect(() => createRedisRouterState({ client: evalOnly, prefx: 'x' } as never)).toThrow(
      'Unknown option `prefx`: did you mean `prefix`?',
    );
    expect(() => createRedisRouterState({ client: evalOnly, subscriber: {} as never })).toThrow(
      TypeError,
    );
    expect(() => createRedisRouterState({ client: client(), commandTimeoutMs: 0 })).toThrow(
      RangeError,
    );
  });

  it('never repeats a client given as a URL or an options object: it may hold a password', () => {
    expect(() => createRedisRouterState({ client: 'redis://u:pw-SECRET-1@h' as never })).toThrow(
      new TypeError(
        'Expected `client` to be a Redis client with eval() (ioredis 5 or 6), got `"[redacted]"` (string): a URL is not a client; pass an ioredis client made from it, `new Redis(url)`',
      ),
    );
    expect(() =>
      createRedisRouterState({ client: { options: { password: 'pw-SECRET-1' } } as never }),
    ).toThrow(
      new TypeError(
        'Expected `client` to be a Redis client with eval() (ioredis 5 or 6), got an object without it',
      ),
    );
    expect(() => createRedisRouterState('redis://u:pw-SECRET-1@h' as never)).toThrow(
      new TypeError(
        'Expected `options` to be an object with a `client`, got `"[redacted]"` (string): a URL is not a client; pass an ioredis client made from it, `new Redis(url)`',
      ),
    );
  });

  it('serves one router only', () => {
    const state = createRedisRouterState({ client: client() });
    const deployments = [{ group: 'g', provider: fakeProvider('a'), model: 'm' }];
    const first = createRouter({ deployments, state });
    open.push(() => first.close());
    expect(() => createRouter({ deployments, state })).toThrow(TypeError);
  });
});

describe('shared cooldowns (real Redis, real clock)', () => {
  it('makes the other instances pass a deployment over once one instance took it out', async () => {
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    const one = instance(prefix, shared);
    const two = instance(prefix, shared);
    const heard: unknown[] = [];
    two.onCooldown((e) => heard.push(e));
    await vi.waitFor(() => expect(two.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    shared.a.fallback = apiError(503);
    await ask(one);
    await ask(one);
    expect(one.stats().cooldowns).toEqual({ local: 1, shared: 0 });
    await vi.waitFor(() => expect(heard).toHaveLength(1), { timeout: 5_000 });
    // Less the time the news took, from the decision on the other instance.
    expect(heard[0]).toEqual({
      deployment: 'a',
      group: 'chat',
      reason: 'failures',
      durationMs: expect.closeTo(60_000, -3),
      source: 'shared',
    });
    expect((heard[0] as { durationMs: number }).durationMs).toBeLessThanOrEqual(60_000);
    const callsOfA = shared.a.requests.length;
    for (let i = 0; i < 5; i++) expect((await ask(two)).route.deployment).toBe('b');
    expect(shared.a.requests).toHaveLength(callsOfA);
    expect(two.stats().deployments.a!.status).toBe('cooling');
    expect(two.stats().state).toMatchObject({
      kind: 'redis',
      state: 'available',
      received: 1,
      lastPropagationMs: expect.any(Number),
    });
    expect(one.stats().state).toMatchObject({ published: 1 });
  });

  it('tells an instance that starts later about the cooldowns running', async () => {
    const { prefix, shared } = await coolingInRedis();
    const late = instance(prefix, shared);
    await vi.waitFor(() => expect(late.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    expect(late.stats().cooldowns.shared).toBe(1);
  });

  it("reads the other deployments' cooldowns, and claims a probe, past a key another program wrote with another type", async () => {
    const { prefix, shared } = await coolingInRedis();
    // b's cooldown and probe keys hold hashes: GET on them is a WRONGTYPE error
    const other = client();
    await other.hset(`${prefix}cooldown:b`, 'f', '1');
    await other.hset(`${prefix}probe:b`, 'f', '1');
    const unavailable: unknown[] = [];
    const late = instance(prefix, shared);
    late.onStateUnavailable((event) => unavailable.push(event));
    await vi.waitFor(() => expect(late.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    expect(late.stats().state).toMatchObject({ state: 'available', syncs: 1 });
    expect(unavailable).toEqual([]);
    expect((await ask(late)).route.deployment).toBe('b');
    // a probe claim replaces such a key (it holds no claim) instead of failing
    expect(await other.eval(CLAIM_SCRIPT, 1, `${prefix}probe:b`, 5_000, 'instance-1')).toBe(1);
    expect(await other.get(`${prefix}probe:b`)).toBe('instance-1');
    expect(await other.pttl(`${prefix}probe:b`)).toBeGreaterThan(0);
  });

  it('clears a cooldown key dated far in the future once a probe succeeds', async () => {
    const prefix = `test:${randomUUID()}:`;
    const other = client();
    // Another program's value, or a host whose clock is a year ahead, with a TTL of 31 years.
    await other.set(`${prefix}cooldown:a`, `failures:${Date.now() + 3.2e10}`, 'PX', 1e12);
    const shared = providers();
    // Its longest cooldown 300 ms (the synced one is capped to it).
    const quick = () => {
      const router = createRouter({
        deployments: [
          { id: 'a', group: 'chat', provider: shared.a, model: 'm' },
          { id: 'b', group: 'chat', provider: shared.b, model: 'm', priority: 1 },
        ],
        cooldown: { failures: 2, durationMs: 300, maxRetryAfterMs: 300 },
        state: createRedisRouterState({ client: client(), prefix }),
      });
      open.push(() => router.close());
      return router;
    };
    const one = quick();
    // Synced: `a` cools for this router's own longest cooldown, then is probed.
    await vi.waitFor(() => expect(one.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(one.stats().deployments.a!.status).toBe('probe-due'), {
      timeout: 5_000,
    });
    expect((await ask(one)).route.deployment).toBe('a');
    await vi.waitFor(async () => expect(await other.exists(`${prefix}cooldown:a`)).toBe(0), {
      timeout: 5_000,
    });
    // An instance that starts now finds `a` in service.
    const late = quick();
    await vi.waitFor(() => expect(late.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    expect(late.stats().deployments.a!.status).toBe('healthy');
  });

  it('lets one instance probe after the cooldown, and brings the deployment back everywhere', async () => {
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    // (1 s: long enough that the news reaches `two` on a loaded machine while `a` still cools)
    const one = instance(prefix, shared, { durationMs: 1_000 });
    const two = instance(prefix, shared, { durationMs: 1_000 });
    await vi.waitFor(() => expect(two.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    shared.a.fallback = apiError(503);
    await ask(one);
    await ask(one);
    await vi.waitFor(() => expect(two.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(two.stats().deployments.a!.status).toBe('probe-due'), {
      timeout: 5_000,
    });
    shared.a.fallback = 'ok';
    shared.a.delayMs = 200;
    const recovered: unknown[] = [];
    two.onRecovered((e) => recovered.push(e));
    const probe = ask(one);
    await vi.waitFor(() => expect(shared.a.inFlight).toBe(1), { timeout: 5_000 });
    // The other instance finds the probe claimed: it passes `a` over.
    expect((await ask(two)).route.deployment).toBe('b');
    expect((await probe).route.deployment).toBe('a');
    await vi.waitFor(() => expect(recovered).toHaveLength(1), { timeout: 5_000 });
    expect(recovered[0]).toMatchObject({ deployment: 'a', source: 'shared' });
    expect(one.stats().state).toMatchObject({ probes: { won: 1, lost: 0 } });
    expect(two.stats().state).toMatchObject({ probes: { won: 0, lost: 1 } });
    shared.a.delayMs = 0;
    expect((await ask(two)).route.deployment).toBe('a');
  });
});

describe('probes after an abort (real Redis, real clock)', () => {
  it('lets the instance whose probe the caller aborted probe again at its next call', async () => {
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    const one = instance(prefix, shared, { durationMs: 300 });
    await vi.waitFor(() => expect(one.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    shared.a.fallback = apiError(503);
    await ask(one);
    await ask(one);
    await vi.waitFor(() => expect(one.stats().deployments.a!.status).toBe('probe-due'), {
      timeout: 2_000,
    });
    shared.a.fallback = 'ok';
    shared.a.delayMs = 100;
    const controller = new AbortController();
    const probe = one
      .complete({ model: 'chat', messages: HI, signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(shared.a.inFlight).toBe(1), { timeout: 5_000 });
    controller.abort();
    expect(await probe).toBe(controller.signal.reason);
    // Its own claim is still in Redis: the next call renews it and probes, without waiting.
    expect((await ask(one)).route.deployment).toBe('a');
    expect(one.stats().deployments.a!.status).toBe('healthy');
    expect(one.stats().state).toMatchObject({ probes: { won: 2, lost: 0 } });
  });
});

describe('Redis down (real Redis, real clock)', () => {
  it('keeps routing by its own view, says so, and writes its cooldowns back when Redis returns', async () => {
    const server = await startRedisServer();
    open.push(() => server.stop());
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    const one = instance(prefix, shared, { url: server.url });
    const events: string[] = [];
    one.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
    one.onStateRecovered(() => events.push('recovered'));
    await vi.waitFor(() => expect(one.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });

    await server.stop();
    await vi.waitFor(() => expect(events).toEqual(['unavailable:disconnected']), {
      timeout: 5_000,
    });
    expect(one.stats().state).toMatchObject({ state: 'unavailable', outages: 1 });
    // Its own view still works: a deployment failing now is taken out here.
    shared.a.fallback = apiError(503);
    await ask(one);
    expect((await ask(one)).route.deployment).toBe('b');
    expect(one.stats().deployments.a!.status).toBe('cooling');
    expect((await ask(one)).route.attempts).toEqual([]);

    await server.restart();
    await vi.waitFor(() => expect(events).toEqual(['unavailable:disconnected', 'recovered']), {
      timeout: 5_000,
    });
    expect(one.stats().state).toMatchObject({ state: 'available' });
    // The cooldown decided during the outage is in Redis now: an instance starting sees it.
    const late = instance(prefix, shared, { url: server.url });
    await vi.waitFor(() => expect(late.stats().deployments.a!.status).toBe('cooling'), {
      timeout: 5_000,
    });
  });

  it('writes back the cooldowns decided while Redis answered errors, once a command works again', async () => {
    const server = await startRedisServer();
    open.push(() => server.stop());
    const admin = client(server.url);
    const prefix = `test:${randomUUID()}:`;
    const shared = providers();
    const one = instance(prefix, shared, { url: server.url });
    const events: string[] = [];
    one.onStateUnavailable((e) => events.push(`unavailable:${e.reason}`));
    one.onStateRecovered(() => events.push('recovered'));
    await vi.waitFor(() => expect(one.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    // Writes are refused (an error reply), while the subscription stays connected.
    await admin.config('SET', 'min-replicas-to-write', '1');
    shared.a.fallback = apiError(503);
    await ask(one);
    await ask(one);
    await vi.waitFor(() => expect(events).toEqual(['unavailable:error']), { timeout: 5_000 });
    await admin.config('SET', 'min-replicas-to-write', '0');
    shared.b.fallback = apiError(503);
    await ask(one).catch(() => {});
    await ask(one).catch(() => {});
    await vi.waitFor(() => expect(events).toEqual(['unavailable:error', 'recovered']), {
      timeout: 5_000,
    });
    const late = instance(prefix, shared, { url: server.url });
    await vi.waitFor(
      () => {
        expect(late.stats().deployments.a!.status).toBe('cooling');
        expect(late.stats().deployments.b!.status).toBe('cooling');
      },
      { timeout: 5_000 },
    );
  });

  it("keeps answering, and probes on its own, when the client's eval() throws instead of rejecting", async () => {
    const throwing = {
      eval(): Promise<unknown> {
        throw new TypeError('eval() takes (script, options)');
      },
    };
    const shared = providers();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: shared.a, model: 'm' },
        { id: 'b', group: 'chat', provider: shared.b, model: 'm', priority: 1 },
      ],
      cooldown: { failures: 2, durationMs: 200 },
      state: createRedisRouterState({ client: throwing, subscriber: client() }),
    });
    open.push(() => router.close());
    const reasons: string[] = [];
    router.onStateUnavailable((e) => reasons.push(`${e.reason}:${e.error}`));
    await vi.waitFor(() => expect(reasons).toEqual(['error:TypeError']), { timeout: 5_000 });
    shared.a.fallback = apiError(503);
    await ask(router);
    expect((await ask(router)).route.deployment).toBe('b');
    expect(router.stats().deployments.a!.status).toBe('cooling');
    await vi.waitFor(() => expect(router.stats().deployments.a!.status).toBe('probe-due'), {
      timeout: 5_000,
    });
    shared.a.fallback = 'ok';
    expect((await ask(router)).route.deployment).toBe('a');
  });
});
