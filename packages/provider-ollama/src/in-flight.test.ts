import { getEventListeners } from 'node:events';
import { pullAll } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { InFlightStreams } from './in-flight';

/** A stream of `count` numbers that ends with its signal's reason when the signal aborts. */
async function* numbers(signal: AbortSignal, count: number): AsyncGenerator<number, void> {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) throw signal.reason;
    yield i;
  }
}

describe('InFlightStreams', () => {
  it('ends every stream in flight with the reason of abortAll(), and forgets them', async () => {
    const streams = new InFlightStreams();
    const a = streams.track(undefined, (signal) => numbers(signal, 1_000));
    const b = streams.track(undefined, (signal) => numbers(signal, 1_000));
    expect((await a.next()).value).toBe(0);
    expect((await b.next()).value).toBe(0);
    expect(streams.size).toBe(2);
    const reason = new DOMException('Aborted by abortAll()', 'AbortError');
    streams.abortAll(reason);
    await expect(pullAll(a)).rejects.toBe(reason);
    await expect(pullAll(b)).rejects.toBe(reason);
    expect(streams.size).toBe(0);
  });

  it("follows the caller's signal and stops listening to it when the stream ends", async () => {
    const streams = new InFlightStreams();
    const caller = new AbortController();
    const done = streams.track(caller.signal, (signal) => numbers(signal, 3));
    expect(await pullAll(done)).toEqual([0, 1, 2]);
    expect(streams.size).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);

    const cut = streams.track(caller.signal, (signal) => numbers(signal, 1_000));
    await cut.next();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort(new Error('caller gave up'));
    await expect(pullAll(cut)).rejects.toThrow('caller gave up');
    expect(streams.size).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('forgets a stream the consumer leaves early, and one started with an aborted signal', async () => {
    const streams = new InFlightStreams();
    const left = streams.track(undefined, (signal) => numbers(signal, 1_000));
    await left.next();
    await left.return?.();
    expect(streams.size).toBe(0);
    const caller = new AbortController();
    caller.abort(new Error('already'));
    const never = streams.track(caller.signal, (signal) => numbers(signal, 3));
    await expect(pullAll(never)).rejects.toThrow('already');
    expect(streams.size).toBe(0);
  });
});
