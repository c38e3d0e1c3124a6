import { describe, expect, it } from 'vitest';
import { deferred } from './deferred';
import { SharedFlight } from './shared-flight';

/** Work that settles when the test says, recording the signal it was given. */
function gatedWork<T>() {
  const gate = deferred<T>();
  const seen: { signal?: AbortSignal } = {};
  const work = (signal: AbortSignal): Promise<T> => {
    seen.signal = signal;
    return gate.promise;
  };
  return { gate, seen, work };
}

describe('SharedFlight', () => {
  it('hands every waiter the one outcome', async () => {
    let calls = 0;
    const flight = new SharedFlight(async () => ++calls);
    const a = new AbortController();
    await expect(Promise.all([flight.wait(a.signal), flight.wait(undefined)])).resolves.toEqual([
      1, 1,
    ]);
    expect(calls).toBe(1);
  });

  it('aborts the work and calls onAbandoned once the last waiter leaves', async () => {
    const { seen, work } = gatedWork<number>();
    let abandoned = 0;
    const flight = new SharedFlight(work, () => abandoned++);
    const a = new AbortController();
    const b = new AbortController();
    const first = flight.wait(a.signal);
    const second = flight.wait(b.signal);
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    expect(seen.signal!.aborted).toBe(false);
    expect(abandoned).toBe(0);
    b.abort(new Error('b left'));
    await expect(second).rejects.toThrow('b left');
    expect(seen.signal!.aborted).toBe(true);
    expect(seen.signal!.reason).toBe(b.signal.reason);
    expect(abandoned).toBe(1);
    expect(flight.abandoned).toBe(true);
  });

  it('is kept to its end by a waiter without a signal', async () => {
    const { gate, seen, work } = gatedWork<string>();
    let abandoned = 0;
    const flight = new SharedFlight(work, () => abandoned++);
    const a = new AbortController();
    const left = flight.wait(a.signal);
    const staying = flight.wait(undefined);
    a.abort(new Error('left'));
    await expect(left).rejects.toThrow('left');
    expect(seen.signal!.aborted).toBe(false);
    gate.resolve('done');
    await expect(staying).resolves.toBe('done');
    expect(abandoned).toBe(0);
  });

  it('is not abandoned by a waiter leaving after it settled', async () => {
    let abandoned = 0;
    const flight = new SharedFlight(
      async () => 'done',
      () => abandoned++,
    );
    await flight.promise;
    const a = new AbortController();
    a.abort(new Error('late'));
    await expect(flight.wait(a.signal)).rejects.toThrow('late');
    expect(abandoned).toBe(0);
    expect(flight.abandoned).toBe(false);
  });

  it('turns a work that throws synchronously into its rejection', async () => {
    const flight = new SharedFlight<number>(() => {
      throw new Error('bad start');
    });
    await expect(flight.wait(undefined)).rejects.toThrow('bad start');
  });
});
