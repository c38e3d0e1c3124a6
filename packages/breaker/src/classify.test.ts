import { describe, expect, it } from 'vitest';
import { boom, fail, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// `classify`: which outcomes count as a failure, a success, or not at all.

useFakeClock();

describe('createBreaker', () => {
  describe('classify (behaviour 5)', () => {
    it('never counts ignored outcomes while closed', async () => {
      const breaker = createBreaker({
        failureThreshold: 2,
        window: { type: 'count', size: 5, minimumCalls: 5 },
        classify: (error) => ((error as Error).message === 'expected' ? 'ignore' : 'failure'),
      });
      const expectedError = () => Promise.reject(new Error('expected'));
      await fail(breaker, 1);
      for (let i = 0; i < 10; i++) await breaker.execute(expectedError).catch(() => {});
      expect(breaker.stats()).toMatchObject({
        state: 'closed',
        ignored: 10,
        failures: 1,
        consecutiveFailures: 1,
        window: { calls: 1 },
      });
      await fail(breaker, 1);
      expect(breaker.state).toBe('open');
    });

    it('never closes a half-open breaker on ignored outcomes, and frees their probe slots', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 0,
        classify: () => 'ignore',
      });
      breaker.open();
      for (let i = 0; i < 5; i++) await breaker.execute(boom).catch(() => {});
      expect(breaker.stats()).toMatchObject({ state: 'half-open', probesInFlight: 0, ignored: 5 });
    });

    it('counts errors classified as success as successes', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 0,
        classify: (error) =>
          (error as { status?: number }).status === 404 ? 'success' : 'failure',
      });
      const notFound = () => Promise.reject(Object.assign(new Error('nope'), { status: 404 }));
      await expect(breaker.execute(notFound)).rejects.toThrow('nope');
      expect(breaker.state).toBe('closed');
      breaker.open();
      await breaker.execute(notFound).catch(() => {}); // a successful probe
      expect(breaker.state).toBe('closed');
    });

    it('ignores the caller abort by default and tells classify about it', async () => {
      const seen: boolean[] = [];
      const breaker = createBreaker({
        failureThreshold: 1,
        classify: (_error, context) => {
          seen.push(context.callerAborted);
          return context.callerAborted ? 'ignore' : 'failure';
        },
      });
      const controller = new AbortController();
      const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
      controller.abort(new Error('caller gave up'));
      await expect(call).rejects.toThrow('caller gave up');
      expect(breaker.state).toBe('closed');
      expect(seen).toEqual([true]);
      expect(breaker.stats().ignored).toBe(1);
    });

    it('counts caller aborts when classify says failure (a caller-side timeout)', async () => {
      const breaker = createBreaker({ failureThreshold: 1, classify: () => 'failure' });
      const controller = new AbortController();
      const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
      controller.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      expect(breaker.state).toBe('open');
    });

    it('counts the error as a failure when classify throws or returns nonsense', async () => {
      const throwing = createBreaker({
        failureThreshold: 1,
        classify: () => {
          throw new Error('bug');
        },
      });
      await fail(throwing);
      expect(throwing.state).toBe('open');
      const nonsense = createBreaker({ failureThreshold: 1, classify: () => 'maybe' as never });
      await fail(nonsense);
      expect(nonsense.state).toBe('open');
    });
  });
});
