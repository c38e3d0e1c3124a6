import { describe, expect, it, vi } from 'vitest';
import { LightSignal, realSignal } from './light-signal';

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
