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

  it('lets go of streams ending in any order, and aborts only those still in flight', async () => {
    const streams = new InFlightStreams();
    const started = [0, 1, 2, 3].map(() =>
      streams.track(undefined, (signal) => numbers(signal, 1_000)),
    );
    for (const s of started) await s.next();
    // the middle, the last started, then the first: every position of the list
    await started[1]!.return?.();
    await started[3]!.return?.();
    await started[0]!.return?.();
    expect(streams.size).toBe(1);
    const reason = new DOMException('Aborted by abortAll()', 'AbortError');
    streams.abortAll(reason);
    await expect(pullAll(started[2]!)).rejects.toBe(reason);
    expect(streams.size).toBe(0);
    // one started after abortAll() is tracked afresh, and an aborted one ending changes nothing
    const after = streams.track(undefined, (signal) => numbers(signal, 2));
    await after.next();
    expect(streams.size).toBe(1);
    expect(await pullAll(after)).toEqual([1]);
    expect(streams.size).toBe(0);
  });
});
