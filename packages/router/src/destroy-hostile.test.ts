import type { Deferred } from '@x/internal';
import { type BaseChatResponse, chatResponse } from '@x/provider-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HI, overflowError, textChunk } from './__fixtures__/fake-provider';
import {
  expectCancelledOnly,
  hostileProvider,
  routerOver,
  watch,
} from './__fixtures__/hostile-provider';
import { scriptedState } from './__fixtures__/routers';
import { isRouterClosedError } from './errors';
import { createRouter } from './router';

/**
 * `destroy()` ends every call of the router in flight at once, whatever its provider does: a
 * provider of the caller's own may ignore its signal and its `close()`, settle late, or never.
 * Fake timers: nothing here waits on I/O, and the router must leave no timer behind.
 */

afterEach(() => {
  vi.useRealTimers();
});

const OWNERSHIP = [
  ['closeProviders: true', true],
  ['without closeProviders', false],
] as const;

describe('Router.destroy', () => {
  describe.each(OWNERSHIP)('%s', (_, closeProviders) => {
    it.each(['complete', 'embed'] as const)(
      'ends a %s() whose provider never settles with RouterClosedError at once, and resolves',
      async (op) => {
        vi.useFakeTimers();
        const { provider, answers } = hostileProvider();
        const { router, told } = routerOver(provider, closeProviders);
        const call = watch(
          op === 'complete'
            ? router.complete({ model: 'chat', messages: HI })
            : router.embed({ model: 'chat', input: 'Hi' }),
        );
        await vi.advanceTimersByTimeAsync(0);
        expect(answers).toHaveLength(1);
        const destroyed = watch(router.destroy());
        await vi.advanceTimersByTimeAsync(0);
        expect(call.settled).toBe(true);
        expect(isRouterClosedError(call.error)).toBe(true);
        expect(destroyed).toEqual({ settled: true });
        expect(provider.closed).toBe(closeProviders);
        expectCancelledOnly(router, told);
      },
    );

    it.each([
      [
        'an answer',
        (d: Deferred<BaseChatResponse>) => d.resolve(chatResponse({ content: 'late', model: 'm' })),
      ],
      ['a failure', (d: Deferred<BaseChatResponse>) => d.reject(new Error('socket hang up'))],
    ])(
      'drops %s its provider delivers after it: not counted, nothing unhandled',
      async (_, settle) => {
        vi.useFakeTimers();
        const { provider, answers } = hostileProvider();
        const { router, told } = routerOver(provider, closeProviders);
        const call = watch(router.complete({ model: 'chat', messages: HI }));
        await vi.advanceTimersByTimeAsync(0);
        const destroyed = watch(router.destroy());
        await vi.advanceTimersByTimeAsync(0);
        expect(destroyed).toEqual({ settled: true });
        expect(isRouterClosedError(call.error)).toBe(true);
        settle(answers[0]!);
        await vi.advanceTimersByTimeAsync(0);
        expectCancelledOnly(router, told);
        expect(router.stats().deployments.a!.latencyMs.complete).toBeUndefined();
      },
    );

    it.each([
      ['its first chunk', 'none'],
      ['its next chunk', 'chunk'],
    ] as const)(
      "ends a stream whose provider never delivers %s, and returns the provider's stream",
      async (_, first) => {
        vi.useFakeTimers();
        const { provider, chunks, returns } = hostileProvider({ first });
        const { router, told } = routerOver(provider, closeProviders);
        const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
        if (first === 'chunk') {
          await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
        }
        const next = watch(iterator.next());
        await vi.advanceTimersByTimeAsync(0);
        expect(chunks).toHaveLength(1);
        const destroyed = watch(router.destroy());
        await vi.advanceTimersByTimeAsync(0);
        expect(next.settled).toBe(true);
        expect(isRouterClosedError(next.error)).toBe(true);
        expect(destroyed).toEqual({ settled: true });
        // Its request is ended on the provider's side too, without waiting for it.
        expect(returns).toHaveLength(1);
        expectCancelledOnly(router, told);
        // What the provider does afterwards reaches no one.
        chunks[0]!.resolve({ done: false, value: textChunk('lo') });
        returns[0]!.reject(new Error('could not end the stream'));
        await vi.advanceTimersByTimeAsync(0);
        expectCancelledOnly(router, told);
        await expect(iterator.next()).resolves.toMatchObject({ done: true });
      },
    );

    it('ends well a stream whose last chunk reached the caller, though its provider never ends it', async () => {
      vi.useFakeTimers();
      const { provider, chunks } = hostileProvider({ first: 'last' });
      const { router, told } = routerOver(provider, closeProviders);
      const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toMatchObject({ value: { done: true } });
      const after = iterator.next();
      await vi.advanceTimersByTimeAsync(0);
      expect(chunks).toHaveLength(1);
      const destroyed = watch(router.destroy());
      await vi.advanceTimersByTimeAsync(0);
      expect(destroyed).toEqual({ settled: true });
      await expect(after).resolves.toMatchObject({ done: true });
      expect(router.stats()).toMatchObject({
        successes: 1,
        cancelled: 0,
        failures: 0,
        inFlight: 0,
      });
      expect(told).toEqual([]);
    });

    it('ends a stream the caller left whose provider never ends its own, and resolves', async () => {
      vi.useFakeTimers();
      const { provider, returns } = hostileProvider();
      const { router, told } = routerOver(provider, closeProviders);
      const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
      await iterator.next();
      const left = watch(iterator.return!());
      await vi.advanceTimersByTimeAsync(0);
      expect(returns).toHaveLength(1);
      expect(left.settled).toBe(false);
      const destroyed = watch(router.destroy());
      await vi.advanceTimersByTimeAsync(0);
      expect(left).toEqual({ settled: true });
      expect(destroyed).toEqual({ settled: true });
      expectCancelledOnly(router, told);
    });

    it('ends a call waiting for a window lookup that never settles', async () => {
      vi.useFakeTimers();
      const a = hostileProvider();
      const b = hostileProvider();
      const looked: unknown[] = [];
      const lookingUp = Object.assign(b.provider, {
        modelInfo: () => {
          looked.push('m');
          return new Promise<{ contextLength: number }>(() => {});
        },
      });
      const router = createRouter({
        deployments: [
          { id: 'a', group: 'chat', provider: a.provider, model: 'm' },
          { id: 'b', group: 'chat', provider: lookingUp, model: 'm-long', priority: 1 },
        ],
        closeProviders,
      });
      const call = watch(router.complete({ model: 'chat', messages: HI }));
      await vi.advanceTimersByTimeAsync(0);
      // `a` overflows: `b`'s window is looked up, and never told.
      a.answers[0]!.reject(
        overflowError({ model: 'm', promptTokens: 5_000, contextWindow: 4_096 }),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(looked).toHaveLength(1);
      expect(call.settled).toBe(false);
      const destroyed = watch(router.destroy());
      await vi.advanceTimersByTimeAsync(0);
      expect(isRouterClosedError(call.error)).toBe(true);
      expect(destroyed).toEqual({ settled: true });
      expect(router.stats()).toMatchObject({ failures: 0, cancelled: 1, inFlight: 0 });
      expect(router.stats().deployments.b).toMatchObject({ inFlight: 0, calls: 0 });
      expect(b.answers).toHaveLength(0);
    });

    it('ends a call waiting for a probe claim that never settles', async () => {
      vi.useFakeTimers();
      const { provider, answers } = hostileProvider();
      const router = createRouter({
        deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
        cooldown: { failures: 1, durationMs: 1_000 },
        state: scriptedState({ claimProbe: () => new Promise<boolean>(() => {}) }),
        closeProviders,
      });
      const first = watch(router.complete({ model: 'chat', messages: HI }));
      await vi.advanceTimersByTimeAsync(0);
      answers[0]!.reject(Object.assign(new Error('down'), { kind: 'connection' }));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(first.settled).toBe(true);
      const probe = watch(router.complete({ model: 'chat', messages: HI }));
      await vi.advanceTimersByTimeAsync(0);
      expect(probe.settled).toBe(false);
      const destroyed = watch(router.destroy());
      await vi.advanceTimersByTimeAsync(0);
      expect(isRouterClosedError(probe.error)).toBe(true);
      expect(destroyed).toEqual({ settled: true });
      expect(answers).toHaveLength(1);
      expect(router.stats()).toMatchObject({ cancelled: 1, inFlight: 0 });
      expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, status: 'probe-due' });
    });
  });
});
