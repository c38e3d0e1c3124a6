import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { createRouter } from './router';

/** The one `consumerMs` interval runs while streams are in flight, never once the router is idle. */

afterEach(() => {
  vi.useRealTimers();
});

describe('Router.stream', () => {
  it('leaves no timer once its last stream ended, nor after close()', async () => {
    vi.useFakeTimers();
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' }],
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await iterator.next();
    // The caller holds a chunk: the interval that lets go of a dropped iterator runs.
    expect(vi.getTimerCount()).toBe(1);
    while (!(await iterator.next()).done) {
      // read to the end
    }
    expect(router.stats()).toMatchObject({ inFlight: 0, successes: 1 });
    expect(vi.getTimerCount()).toBe(0);
    await router.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
