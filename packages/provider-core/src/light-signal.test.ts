import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { CallSignal, LightSignal, realSignal } from './light-signal';

describe('LightSignal', () => {
  it('runs each listener once, with the reason set, when aborted', () => {
    const signal = new LightSignal();
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    signal.addEventListener('abort', () => seen.push('second'));
    const reason = new Error('deadline');
    signal.abort(reason);
    signal.abort(new Error('again'));
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual([reason, 'second']);
  });

  it('skips a removed listener and reports an AbortError when aborted without a reason', () => {
    const signal = new LightSignal();
    const listener = vi.fn();
    signal.addEventListener('abort', listener);
    signal.removeEventListener('abort', listener);
    signal.abort(undefined);
    expect(listener).not.toHaveBeenCalled();
    expect(signal.reason).toMatchObject({ name: 'AbortError' });
  });

  it('throws its reason from throwIfAborted() once aborted, and nothing before', () => {
    const signal = new LightSignal();
    expect(() => signal.throwIfAborted()).not.toThrow();
    const reason = new Error('gone');
    signal.abort(reason);
    expect(() => signal.throwIfAborted()).toThrow(reason);
  });
});

describe('LightSignal.follow', () => {
  it('aborts every follower with its reason, after its own listeners, except one that unfollowed', () => {
    const leader = new LightSignal();
    const followers = Array.from({ length: 5 }, () => new LightSignal());
    for (const follower of followers) follower.follow(leader);
    const order: string[] = [];
    leader.addEventListener('abort', () => order.push('leader'));
    followers[0]!.addEventListener('abort', () => {
      order.push('follower');
      // What an abort runs may let go of another follower: the others still abort.
      followers[3]!.unfollow();
    });
    followers[2]!.unfollow();
    const reason = new Error('destroyed');
    leader.abort(reason);
    expect(order).toEqual(['leader', 'follower']);
    expect(followers.map((f) => f.aborted)).toEqual([true, true, false, true, true]);
    expect(followers[4]!.reason).toBe(reason);
  });

  it('aborts at once when its leader already has, and leaves its leader when it aborts first', () => {
    const leader = new LightSignal();
    leader.abort(new Error('early'));
    const late = new LightSignal();
    late.follow(leader);
    expect(late.reason).toEqual(new Error('early'));
    const running = new LightSignal();
    const follower = new LightSignal();
    follower.follow(running);
    follower.abort(new Error('own'));
    running.abort(new Error('later'));
    expect(follower.reason).toEqual(new Error('own'));
  });
});

describe('CallSignal', () => {
  it("aborts with the caller's signal or the ending one, whichever is first, until released", () => {
    const ending = new LightSignal();
    const caller = new AbortController();
    const first = new CallSignal(ending, caller.signal);
    const released = new CallSignal(ending, caller.signal);
    released.release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('the caller left');
    caller.abort(reason);
    ending.abort(new Error('destroyed'));
    expect(first.reason).toBe(reason);
    expect(released.aborted).toBe(false);
    const after = new CallSignal(new LightSignal(), caller.signal);
    expect(after.reason).toBe(reason);
  });
});

describe('realSignal', () => {
  it('gives a real AbortSignal that aborts with the light one, the same one each time', () => {
    const light = new LightSignal();
    const real = realSignal(light as unknown as AbortSignal)!;
    expect(real).toBeInstanceOf(AbortSignal);
    expect(realSignal(light as unknown as AbortSignal)).toBe(real);
    const reason = new Error('deadline');
    light.abort(reason);
    expect(real.aborted).toBe(true);
    expect(real.reason).toBe(reason);
  });

  it('gives an already aborted real signal for a light one aborted before', () => {
    const light = new LightSignal();
    light.abort(new Error('early'));
    expect(realSignal(light as unknown as AbortSignal)!.reason).toEqual(new Error('early'));
  });

  it('returns a real signal (or undefined) unchanged', () => {
    const signal = new AbortController().signal;
    expect(realSignal(signal)).toBe(signal);
    expect(realSignal(undefined)).toBeUndefined();
  });
});
