import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boom, ok, path, recordTransitions, toHalfOpen } from './__fixtures__/calls';
import type { Breaker, StateChangeEvent } from './index';
import { breakerChannels, createBreaker } from './index';

// A listener that moves the breaker (isolate, open, close, or a call of its own) while the breaker
// is reporting an outcome or a transition.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const throwNow = () => {
  throw new Error('sync');
};

/** A breaker tripped by one failure and whose open period is over: the next call is a probe. */
function halfOpen(options: Parameters<typeof createBreaker>[0] = {}): Promise<Breaker> {
  return toHalfOpen(
    createBreaker({ failureThreshold: 1, successThreshold: 1, openTimeoutMs: 100, ...options }),
  );
}

describe('a listener that moves the breaker during a probe outcome wins', () => {
  it('isolate() from onSuccess keeps the breaker isolated (the probe does not close it)', async () => {
    const breaker = await halfOpen();
    const events = recordTransitions(breaker);
    breaker.onSuccess((e) => {
      if (e.probe) breaker.isolate();
    });
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'open', isolations: 1, retryAfterMs: null });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>open:isolate']);
  });

  it('open() from onSuccess keeps the breaker open', async () => {
    const breaker = await halfOpen();
    const events = recordTransitions(breaker);
    breaker.onSuccess((e) => {
      if (e.probe) breaker.open();
    });
    await breaker.execute(ok);
    expect(breaker.stats()).toMatchObject({ state: 'open', successes: 1, retryAfterMs: 100 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>open:manual-open']);
  });

  it('close() from onFailure keeps the breaker closed, with its open period not grown', async () => {
    const breaker = await halfOpen({ maxOpenTimeoutMs: 1_000 });
    const events = recordTransitions(breaker);
    breaker.onFailure((e) => {
      if (e.probe) breaker.close();
    });
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 2, openTimeoutMs: 100 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>closed:manual-close']);
  });

  it('isolate() from onSuccess on a slow probe neither reopens it nor grows the open period', async () => {
    const breaker = await halfOpen({
      maxOpenTimeoutMs: 1_000,
      slowCallDurationMs: 50,
      window: { type: 'count', size: 10 },
    });
    const events = recordTransitions(breaker);
    breaker.onSuccess((e) => {
      if (e.slow) breaker.isolate();
    });
    const probe = breaker.execute(() => new Promise((r) => setTimeout(() => r('slow'), 50)));
    await vi.advanceTimersByTimeAsync(50);
    await probe;
    expect(breaker.stats()).toMatchObject({ state: 'open', isolations: 1, openTimeoutMs: 100 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>open:isolate']);
  });

  it('close() from onFailure on a probe timeout keeps it closed; fn settling later is late', async () => {
    const breaker = await halfOpen({ probeTimeoutMs: 30, maxOpenTimeoutMs: 1_000 });
    const events = recordTransitions(breaker);
    breaker.onFailure((e) => {
      if (e.probe) breaker.close();
    });
    const probe = breaker
      .execute(() => new Promise((r) => setTimeout(() => r('done'), 50)))
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30);
    await probe;
    expect(breaker.stats()).toMatchObject({
      state: 'closed',
      probeTimeouts: 1,
      openTimeoutMs: 100,
    });
    await vi.advanceTimersByTimeAsync(20);
    expect(breaker.stats()).toMatchObject({ state: 'closed', late: 1, successes: 0 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>closed:manual-close']);
  });

  it("a listener's own call that fails at once reopens it, and the probe's success does not close it", async () => {
    const breaker = await halfOpen();
    const events = recordTransitions(breaker);
    let once = true;
    breaker.onSuccess((e) => {
      if (e.probe && once) {
        once = false;
        breaker.execute(throwNow).catch(() => {});
      }
    });
    await breaker.execute(ok);
    expect(breaker.stats()).toMatchObject({ state: 'open', probes: 2, successes: 1, failures: 2 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>open:probe-failure']);
  });
});

describe('a listener that moves a closed breaker during an outcome wins', () => {
  it('isolate() and release from onFailure leave it closed: the failure does not trip it', async () => {
    const breaker = createBreaker({ failureThreshold: 1 });
    const events = recordTransitions(breaker);
    breaker.onFailure(() => breaker.isolate()());
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 0, opened: 1 });
    expect(path(events)).toEqual(['closed>open:isolate', 'open>closed:release']);
  });

  it('open() from onFailure is the only transition, and no failure is carried into the open state', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0 });
    const events = recordTransitions(breaker);
    breaker.onFailure(() => {
      breaker.open();
      // openTimeoutMs 0: reading the state moves it to half-open at once.
      void breaker.state;
    });
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({ state: 'half-open', consecutiveFailures: 0 });
    expect(path(events)).toEqual(['closed>open:manual-open', 'open>half-open:open-timeout']);
  });

  it('an outcome whose listener closed the breaker again does not go into the new window', async () => {
    const breaker = createBreaker({
      failureThreshold: 5,
      window: { type: 'count', size: 4, minimumCalls: 1 },
    });
    let reset = true;
    const moveOnce = () => {
      if (!reset) return;
      reset = false;
      breaker.open();
      breaker.close();
    };
    breaker.onSuccess(moveOnce);
    await breaker.execute(ok);
    expect(breaker.stats()).toMatchObject({ state: 'closed', window: { calls: 0 } });
    reset = true;
    breaker.onFailure(moveOnce);
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({
      state: 'closed',
      consecutiveFailures: 0,
      window: { calls: 0, failures: 0 },
    });
  });
});

describe('state-change events under reentrancy', () => {
  it('reach every listener and the channel in the order the transitions happened', async () => {
    const entries: string[] = [];
    const logger = {
      info: (_: unknown, message?: string) => {
        entries.push(String(message));
      },
      warn: (_: unknown, message?: string) => {
        entries.push(String(message));
      },
    };
    const breaker = createBreaker({ failureThreshold: 1, logger });
    // A: closes the breaker when it trips, then isolates it when it is closed.
    breaker.onStateChange((e) => {
      if (e.reason === 'failure-threshold') breaker.close();
      else if (e.reason === 'manual-close') breaker.isolate();
    });
    const seen: string[] = [];
    const live: string[] = [];
    breaker.onStateChange((e) => {
      seen.push(`${e.from}>${e.to}:${e.reason}`);
      live.push(breaker.state);
    });
    const published: string[] = [];
    const onMessage = (message: unknown) => {
      const e = message as StateChangeEvent;
      published.push(`${e.from}>${e.to}:${e.reason}`);
    };
    subscribe(breakerChannels.stateChange, onMessage);
    try {
      await breaker.execute(boom).catch(() => {});
    } finally {
      unsubscribe(breakerChannels.stateChange, onMessage);
    }
    const order = [
      'closed>open:failure-threshold',
      'open>closed:manual-close',
      'closed>open:isolate',
    ];
    expect(seen).toEqual(order);
    expect(published).toEqual(order);
    expect(entries).toEqual([
      'breaker "breaker" closed -> open (failure-threshold)',
      'breaker "breaker" open -> closed (manual-close)',
      'breaker "breaker" closed -> open (isolate)',
    ]);
    // The state read inside a listener is the live state, not the event's `to`.
    expect(live).toEqual(['closed', 'open', 'open']);
    expect(breaker.stats()).toMatchObject({ state: 'open', isolations: 1 });
  });

  it("a listener's own call that fails at once during open -> half-open is reported after it", async () => {
    const breaker = await halfOpen({ openTimeoutMs: 0 });
    let once = true;
    breaker.onStateChange((e) => {
      if (e.to === 'half-open' && once) {
        once = false;
        breaker.execute(throwNow).catch(() => {});
      }
    });
    const events = recordTransitions(breaker);
    await breaker.execute(ok).catch(() => {});
    expect(path(events).slice(0, 2)).toEqual([
      'open>half-open:open-timeout',
      'half-open>open:probe-failure',
    ]);
  });
});

describe('fn that moves a closed breaker through a new closed period', () => {
  it('counts its outcome as late, like the slow path does', async () => {
    const error = new Error('boom');
    const openAndClose = (breaker: Breaker) => {
      breaker.open();
      breaker.close();
    };
    const rejected = createBreaker({ failureThreshold: 1 });
    await rejected
      .execute(() => {
        openAndClose(rejected);
        return Promise.reject(error);
      })
      .catch(() => {});
    const thrown = createBreaker({ failureThreshold: 1 });
    await thrown
      .execute(() => {
        openAndClose(thrown);
        throw error;
      })
      .catch(() => {});
    const resolved = createBreaker({ window: { type: 'count', size: 4, minimumCalls: 1 } });
    await resolved.execute(() => {
      openAndClose(resolved);
      return 'ok';
    });
    // The slow path (a signal) as the reference.
    const slow = createBreaker({ failureThreshold: 1 });
    await slow
      .execute(
        () => {
          openAndClose(slow);
          return Promise.reject(error);
        },
        { signal: new AbortController().signal },
      )
      .catch(() => {});
    const counts = { state: 'closed', failures: 0, successes: 0, late: 1 };
    expect(slow.stats()).toMatchObject(counts);
    expect(rejected.stats()).toMatchObject(counts);
    expect(thrown.stats()).toMatchObject(counts);
    expect(resolved.stats()).toMatchObject({ ...counts, window: { calls: 0 } });
  });
});

describe('a classify that moves the breaker', () => {
  it('makes the outcome it is classifying late: a probe failure does not reopen a closed breaker', async () => {
    let target: Breaker | undefined;
    const breaker = await halfOpen({
      maxOpenTimeoutMs: 1_000,
      classify: () => {
        target?.close();
        return 'failure';
      },
    });
    target = breaker;
    const events = recordTransitions(breaker);
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({
      state: 'closed',
      failures: 1,
      late: 1,
      openTimeoutMs: 100,
    });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>closed:manual-close']);
  });

  it('makes a closed-state failure late: it does not count towards the threshold', async () => {
    let target: Breaker | undefined;
    const breaker = createBreaker({
      failureThreshold: 2,
      classify: () => {
        target?.isolate()();
        return 'failure';
      },
    });
    target = breaker;
    await breaker.execute(boom).catch(() => {});
    expect(breaker.stats()).toMatchObject({
      state: 'closed',
      failures: 0,
      consecutiveFailures: 0,
      late: 1,
    });
  });
});
