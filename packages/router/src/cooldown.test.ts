import { CircuitOpenError } from '@x/provider-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeProvider, HI, ORIGIN } from './__fixtures__/fake-provider';
import { linkedState, primaryAndBackup as pairOf } from './__fixtures__/routers';
import type { RouterError } from './errors';
import type { RouterOptions } from './options';
import { createRouter, type Router } from './router';
import type { RouterState } from './state';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The primary and its backup, with a cooldown after 3 failures in 10 s unless told otherwise. */
function primaryAndBackup(cooldown?: RouterOptions['cooldown']) {
  return pairOf({ cooldown: cooldown ?? { failures: 3, windowMs: 10_000, durationMs: 5_000 } });
}

const ask = (router: Router) => router.complete({ model: 'chat', messages: HI });

describe('cooldown', () => {
  it('takes a deployment out after `failures` failures in a row, then passes it over without a call', async () => {
    const { a, b, router } = primaryAndBackup();
    a.fallback = apiError(503);
    const events: unknown[] = [];
    router.onCooldown((e) => events.push(e));
    for (let i = 0; i < 3; i++) expect((await ask(router)).route.deployment).toBe('b');
    expect(a.requests).toHaveLength(3);
    expect(events).toEqual([
      { deployment: 'a', group: 'chat', reason: 'failures', durationMs: 5_000, source: 'local' },
    ]);
    const answer = await ask(router);
    expect(answer.route).toMatchObject({ deployment: 'b', attempts: [] });
    expect(a.requests).toHaveLength(3);
    expect(b.requests).toHaveLength(4);
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      cooldownRemainingMs: 5_000,
      cooldowns: 1,
      skipped: 1,
    });
  });

  it('never takes a deployment out when a success comes between failures', async () => {
    const { a, router } = primaryAndBackup();
    a.script = [apiError(503), apiError(503), 'ok', apiError(503), apiError(503), 'ok'];
    for (let i = 0; i < 6; i++) await ask(router);
    expect(router.stats().deployments.a!.status).toBe('healthy');
    expect(router.stats().cooldowns.local).toBe(0);
  });

  it('counts only the failures within windowMs', async () => {
    const { a, router } = primaryAndBackup({ failures: 2, windowMs: 1_000, durationMs: 5_000 });
    a.fallback = apiError(500);
    await ask(router);
    await vi.advanceTimersByTimeAsync(1_000);
    await ask(router);
    expect(router.stats().deployments.a!.status).toBe('healthy');
    await ask(router);
    expect(router.stats().deployments.a!.status).toBe('cooling');
  });

  it('lets one probe through after durationMs, and puts the deployment back when it answers', async () => {
    const { a, b, router } = primaryAndBackup();
    a.script = [apiError(503), apiError(503), apiError(503)];
    for (let i = 0; i < 3; i++) await ask(router);
    const recovered: unknown[] = [];
    router.onRecovered((e) => recovered.push(e));
    await vi.advanceTimersByTimeAsync(4_999);
    await ask(router);
    expect(a.requests).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(router.stats().deployments.a!.status).toBe('probe-due');
    // Three calls at once: the first one probes `a`, the two others pass it over.
    a.delayMs = 100;
    const calls = [ask(router), ask(router), ask(router)];
    await vi.advanceTimersByTimeAsync(0);
    expect(router.stats().deployments.a!.status).toBe('probing');
    await vi.advanceTimersByTimeAsync(100);
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.route.deployment)).toEqual(['a', 'b', 'b']);
    expect(a.requests).toHaveLength(4);
    expect(recovered).toEqual([
      { deployment: 'a', group: 'chat', source: 'probe', outForMs: 5_100 },
    ]);
    expect(router.stats().deployments.a!.status).toBe('healthy');
    a.delayMs = 0;
    expect((await ask(router)).route.deployment).toBe('a');
    expect(b.requests.length).toBeGreaterThan(0);
  });

  it('starts a new cooldown at once when the probe fails', async () => {
    const { a, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    const events: { reason: string }[] = [];
    router.onCooldown((e) => events.push(e));
    await vi.advanceTimersByTimeAsync(5_000);
    const answer = await ask(router);
    expect(answer.route.attempts.map((x) => x.deployment)).toEqual(['a']);
    expect(events.map((e) => e.reason)).toEqual(['probe-failed']);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', cooldowns: 2 });
  });

  it("counts a probe that meets its provider's open breaker as a failed probe", async () => {
    const { a, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    await vi.advanceTimersByTimeAsync(5_000);
    a.script = [new CircuitOpenError({ retryAfterMs: 1_000, cause: undefined, origin: ORIGIN })];
    await ask(router);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', cooldowns: 2 });
  });

  it('probes again when the probe ends without a verdict (the caller aborted it)', async () => {
    const { a, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    await vi.advanceTimersByTimeAsync(5_000);
    a.fallback = 'ok';
    a.delayMs = 50;
    const controller = new AbortController();
    const call = router
      .complete({ model: 'chat', messages: HI, signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await call).toBe(controller.signal.reason);
    expect(router.stats().deployments.a!.status).toBe('probe-due');
    const next = ask(router);
    await vi.advanceTimersByTimeAsync(50);
    expect((await next).route.deployment).toBe('a');
  });

  it('takes a deployment out for the Retry-After of a 429, at the first one', async () => {
    const { a, router } = primaryAndBackup({
      failures: 3,
      durationMs: 5_000,
      maxRetryAfterMs: 60_000,
    });
    a.script = [apiError(429, { retryAfterMs: 20_000 })];
    const events: unknown[] = [];
    router.onCooldown((e) => events.push(e));
    expect((await ask(router)).route.deployment).toBe('b');
    expect(events).toEqual([
      {
        deployment: 'a',
        group: 'chat',
        reason: 'retry-after',
        durationMs: 20_000,
        source: 'local',
      },
    ]);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(router.stats().deployments.a!.status).toBe('cooling');
    await vi.advanceTimersByTimeAsync(1);
    expect((await ask(router)).route.deployment).toBe('a');
  });

  it('keeps a deployment out when a call that started before its cooldown answers', async () => {
    const told: string[] = [];
    const state: RouterState = {
      bind: () => ({
        cooldown: (id, _ms, reason) => told.push(`cooldown ${id} ${reason}`),
        recovered: (id) => told.push(`recovered ${id}`),
        claimProbe: async () => true,
        stats: () => ({}),
        close: async () => {},
      }),
    };
    const { a, router } = pairOf({
      cooldown: { failures: 3, durationMs: 5_000, maxRetryAfterMs: 60_000 },
      state,
    });
    const recovered: unknown[] = [];
    router.onRecovered((e) => recovered.push(e));
    a.delayMs = 200;
    const slow = ask(router);
    // Meanwhile a second call meets a 429 asking for a minute.
    a.delayMs = 0;
    a.script = [apiError(429, { retryAfterMs: 60_000 })];
    expect((await ask(router)).route.deployment).toBe('b');
    await vi.advanceTimersByTimeAsync(200);
    expect((await slow).route.deployment).toBe('a');
    expect(recovered).toEqual([]);
    expect(told).toEqual(['cooldown a retry-after']);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', successes: 1 });
    expect((await ask(router)).route.deployment).toBe('b');
    expect(a.requests).toHaveLength(2);
    // Its probe, once the minute is over, brings it back.
    await vi.advanceTimersByTimeAsync(60_000 - 200);
    expect((await ask(router)).route.deployment).toBe('a');
    expect(recovered).toMatchObject([{ deployment: 'a', source: 'probe' }]);
    expect(told).toEqual(['cooldown a retry-after', 'recovered a']);
  });

  it('judges a probe that streams by its end, not by its first chunk', async () => {
    const { a, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    await vi.advanceTimersByTimeAsync(5_000);
    a.stream = () => ({
      async *[Symbol.asyncIterator]() {
        yield {
          content: 'Hel',
          thinking: undefined,
          toolCalls: undefined,
          done: false as const,
          response: undefined,
        };
        throw apiError(503);
      },
    });
    const recovered: unknown[] = [];
    router.onRecovered((e) => recovered.push(e));
    const received: string[] = [];
    const error = await (async () => {
      for await (const c of router.stream({ model: 'chat', messages: HI })) {
        received.push(c.content);
        // Until its end, the probe is in flight: other calls pass the deployment over.
        expect(router.stats().deployments.a!.status).toBe('probing');
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 503 });
    expect(received).toEqual(['Hel']);
    expect(recovered).toEqual([]);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', cooldowns: 2 });
  });

  it("takes a deployment out at once when a failure opened its provider's breaker", async () => {
    const { a, router } = primaryAndBackup();
    const breaker = { state: 'closed' };
    a.breaker = breaker;
    a.script = [
      () => {
        breaker.state = 'open';
        return apiError(503);
      },
    ];
    const events: unknown[] = [];
    router.onCooldown((e) => events.push(e));
    expect((await ask(router)).route.deployment).toBe('b');
    expect(events).toEqual([
      {
        deployment: 'a',
        group: 'chat',
        reason: 'breaker-open',
        durationMs: 5_000,
        source: 'local',
      },
    ]);
    // An open breaker met without a failure (opened elsewhere) is passed over, not a cooldown.
    const { a: other, router: second } = primaryAndBackup();
    other.breaker = { state: 'open' };
    expect((await ask(second)).route.deployment).toBe('b');
    expect(second.stats().cooldowns.local).toBe(0);
  });

  it('caps a Retry-After at maxRetryAfterMs', async () => {
    const { a, router } = primaryAndBackup({ maxRetryAfterMs: 30_000 });
    a.script = [apiError(429, { retryAfterMs: 3_600_000 })];
    await ask(router);
    expect(router.stats().deployments.a!.cooldownRemainingMs).toBe(30_000);
  });

  it('never counts failures that are not the deployment trouble (the caller, an open breaker)', async () => {
    const { a, router } = primaryAndBackup({ failures: 1 });
    a.script = [apiError(400)];
    await expect(ask(router)).rejects.toMatchObject({ statusCode: 400 });
    expect(router.stats().deployments.a!.status).toBe('healthy');
  });

  it('keeps every deployment in rotation with cooldown: false', async () => {
    const { a, router } = primaryAndBackup(false);
    a.fallback = apiError(503);
    for (let i = 0; i < 10; i++) await ask(router);
    expect(a.requests).toHaveLength(10);
    expect(router.stats().cooldowns.local).toBe(0);
  });

  it('starts no timer for a cooldown (time is read when a call comes)', async () => {
    const { a, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a deployment passed over while cooling down', () => {
  /** The skip entry of `a` in the RouterError of a call that `b` fails too. */
  async function skipOfA(router: Router, b: ReturnType<typeof fakeProvider>) {
    b.script = [apiError(503)];
    const error = (await ask(router).catch((e: unknown) => e)) as RouterError;
    const skip = error.attempts.find((x) => x.deployment === 'a');
    expect(skip).toMatchObject({ skipped: 'cooldown', error: { code: 'X_ROUTER_COOLDOWN' } });
    return skip!.error.message;
  }

  it('says how many failures took it out and how long is left', async () => {
    const { a, b, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await skipOfA(router, b)).toBe('cooling down for another 4 s after 3 failures in a row');
  });

  it("says a 429's Retry-After took it out, without the server's text", async () => {
    const { a, b, router } = primaryAndBackup();
    a.script = [apiError(429, { retryAfterMs: 12_000 })];
    await ask(router);
    const message = await skipOfA(router, b);
    expect(message).toBe('cooling down for another 12 s after a 429 (Retry-After)');
    expect(message).not.toContain('status 429');
  });

  it("says a 503's Retry-After took it out, in ms under a second", async () => {
    const { a, b, router } = primaryAndBackup();
    a.script = [apiError(503, { kind: 'server-busy', retryAfterMs: 700 })];
    await ask(router);
    expect(await skipOfA(router, b)).toBe(
      'cooling down for another 700 ms after a 503 (Retry-After)',
    );
  });

  it('says its probe failed, or its breaker opened', async () => {
    const { a, b, router } = primaryAndBackup();
    a.fallback = apiError(503);
    for (let i = 0; i < 3; i++) await ask(router);
    await vi.advanceTimersByTimeAsync(5_000);
    await ask(router);
    expect(await skipOfA(router, b)).toBe('cooling down for another 5 s after its probe failed');
    const second = primaryAndBackup();
    const breaker = { state: 'closed' };
    second.a.breaker = breaker;
    second.a.script = [
      () => {
        breaker.state = 'open';
        return apiError(503);
      },
    ];
    await ask(second.router);
    breaker.state = 'half-open';
    expect(await skipOfA(second.router, second.b)).toBe(
      "cooling down for another 5 s after its provider's circuit breaker opened",
    );
  });

  it('takes its own cooldown back from another instance as the same one, a few ms later or not', async () => {
    const { state, link } = linkedState();
    const a = fakeProvider('a');
    a.fallback = apiError(503);
    const b = fakeProvider('b');
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
      cooldown: { failures: 1, durationMs: 5_000 },
      state,
    });
    const cooled: string[] = [];
    router.onCooldown((e) => cooled.push(`${e.deployment} ${e.source}`));
    await ask(router);
    expect(cooled).toEqual(['a local']);
    // What every instance writes back when Redis returns: its view, ending 40 ms after ours.
    await vi.advanceTimersByTimeAsync(1_000);
    link().cooldown('a', 4_040, 'failures');
    expect(cooled).toEqual(['a local']);
    expect(router.stats().cooldowns).toMatchObject({ local: 1, shared: 0 });
    expect(await skipOfA(router, b)).toBe('cooling down for another 4 s after 1 failure in a row');
    // Longer by more than the drift: a cooldown of its own.
    link().cooldown('a', 10_000, 'failures');
    expect(cooled).toEqual(['a local', 'b local', 'a shared']);
  });

  it('says another instance took it out, and why', async () => {
    const { state, link } = linkedState();
    const b = fakeProvider('b');
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
      state,
    });
    link().cooldown('a', 30_000, 'retry-after');
    expect(await skipOfA(router, b)).toBe(
      'cooling down for another 30 s after a Retry-After on another instance',
    );
    link().cooldown('a', 60_000, 'failures');
    expect(await skipOfA(router, b)).toBe(
      'cooling down for another 60 s after failures on another instance',
    );
  });
});
