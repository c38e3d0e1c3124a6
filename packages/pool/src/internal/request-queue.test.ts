import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { newOrigin, type OriginState } from './origins';
import { RequestQueue } from './request-queue';

function origin(): OriginState {
  return newOrigin('http://127.0.0.1:1', 'http://127.0.0.1:1');
}

/** A dispatch with a signal, as undici's `request()` passes it (its type does not list it). */
function request(signal: AbortSignal): Dispatcher.DispatchOptions {
  const options = {
    origin: 'http://127.0.0.1:1',
    path: '/',
    method: 'POST',
    body: 'x'.repeat(1024),
    signal,
  };
  return options as Dispatcher.DispatchOptions;
}

function signalOf(item: { opts: Dispatcher.DispatchOptions } | undefined): unknown {
  return (item?.opts as { signal?: unknown } | undefined)?.signal;
}

describe('RequestQueue', () => {
  it('lets go of aborted requests while no slot frees up to shift them', () => {
    const queue = new RequestQueue(Number.POSITIVE_INFINITY, () => {});
    const target = origin();
    const errors: unknown[] = [];
    const handler = { onError: (error: Error) => errors.push(error) } as Dispatcher.DispatchHandler;
    const live = new AbortController();
    queue.add(target, request(live.signal), handler);
    for (let i = 0; i < 10_000; i++) {
      const controller = new AbortController();
      queue.add(target, request(controller.signal), handler);
      controller.abort(new Error(`gone ${i}`));
    }
    expect(errors).toHaveLength(10_000);
    expect(queue.total).toBe(1);
    // Before, all 10,001 items (and their bodies) stayed in the array until a slot freed up.
    expect(target.queue.length - target.head).toBeLessThanOrEqual(64);
    const next = queue.shift(target);
    expect(signalOf(next)).toBe(live.signal);
    expect(queue.shift(target)).toBeUndefined();
  });

  it('keeps the order of the live requests across sweeps', () => {
    const queue = new RequestQueue(Number.POSITIVE_INFINITY, () => {});
    const target = origin();
    const handler = { onError: () => {} } as unknown as Dispatcher.DispatchHandler;
    const kept: AbortSignal[] = [];
    for (let i = 0; i < 300; i++) {
      const controller = new AbortController();
      queue.add(target, request(controller.signal), handler);
      if (i % 5 === 0) kept.push(controller.signal);
      else controller.abort();
    }
    const order: unknown[] = [];
    for (let item = queue.shift(target); item !== undefined; item = queue.shift(target))
      order.push(signalOf(item));
    expect(order).toEqual(kept);
    expect(queue.total).toBe(0);
  });
});
