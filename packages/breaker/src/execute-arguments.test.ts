import { describe, expect, expectTypeOf, it } from 'vitest';
import { ok, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// What `execute(fn, options)` accepts, refuses, and resolves with.

useFakeClock();

describe('createBreaker', () => {
  describe('execute arguments', () => {
    it('throws a TypeError when fn is not a function', () => {
      const breaker = createBreaker();
      expect(() => breaker.execute(42 as never)).toThrow(
        'Expected `fn` to be a function, got `42` (number)',
      );
    });

    it('throws a TypeError naming an unknown option key and the closest known one', () => {
      const breaker = createBreaker();
      const signal = new AbortController().signal;
      expect(() => breaker.execute(ok, { sginal: signal } as never)).toThrow(
        new TypeError('Unknown option `sginal`: did you mean `signal`?'),
      );
      expect(() => breaker.execute(ok, 'fast' as never)).toThrow(
        'Expected `options` to be an object like { signal }, got `"fast"` (string)',
      );
      expect(breaker.stats().calls).toBe(0);
    });

    it('throws a TypeError for options that are an array or a class instance, running nothing', () => {
      const breaker = createBreaker();
      let ran = 0;
      const fn = async () => ++ran;
      expect(() => breaker.execute(fn, [] as never)).toThrow(
        new TypeError('Expected `options` to be an object like { signal }, got `[]` (array)'),
      );
      expect(() => breaker.execute(fn, new Map() as never)).toThrow(
        /^Expected `options` to be an object like \{ signal \}, got /,
      );
      expect(ran).toBe(0);
      expect(breaker.stats().calls).toBe(0);
    });

    it('throws a TypeError when signal is not an AbortSignal', () => {
      const breaker = createBreaker();
      expect(() => breaker.execute(ok, { signal: 'nope' as never })).toThrow(TypeError);
    });

    it('infers the result type from fn', async () => {
      const breaker = createBreaker();
      const fromAsync = breaker.execute(async () => 1);
      const fromValue = breaker.execute(() => 'text');
      expectTypeOf(fromAsync).toEqualTypeOf<Promise<number>>();
      expectTypeOf(fromValue).toEqualTypeOf<Promise<string>>();
      await expect(Promise.all([fromAsync, fromValue])).resolves.toEqual([1, 'text']);
    });

    it('takes the closed path when signal is explicitly undefined', async () => {
      const breaker = createBreaker();
      await expect(breaker.execute(ok, { signal: undefined })).resolves.toBe('ok');
      expect(breaker.stats().successes).toBe(1);
    });

    it('resolves with what fn returns, also for a plain value', async () => {
      const breaker = createBreaker();
      await expect(breaker.execute(() => 7)).resolves.toBe(7);
    });

    it('adopts a thenable and a Promise subclass, and returns a native promise for each', async () => {
      class Tracked<T> extends Promise<T> {}
      const breaker = createBreaker({ failureThreshold: 2 });
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test hands execute()
        then: (resolve: (v: number) => void) => resolve(8),
      } as PromiseLike<number>;
      const fromThenable = breaker.execute(() => thenable);
      const fromSubclass = breaker.execute(() => Tracked.resolve(9));
      const rejected = breaker.execute(() => Tracked.reject(new Error('sub')));
      for (const p of [fromThenable, fromSubclass, rejected]) {
        expect(Object.getPrototypeOf(p)).toBe(Promise.prototype);
      }
      await expect(fromThenable).resolves.toBe(8);
      await expect(fromSubclass).resolves.toBe(9);
      await expect(rejected).rejects.toThrow('sub');
      expect(breaker.stats()).toMatchObject({ successes: 2, failures: 1 });
    });
  });
});
