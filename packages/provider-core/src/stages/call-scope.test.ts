import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createErrorKit } from '../error-kit';
import { LightSignal } from '../light-signal';
import { StatsRecorder } from '../observe/stats';
import { beginCall } from './call-scope';

const kit = createErrorKit({ provider: 'demo', label: 'Demo' });
const begin = (
  totalMs: number | undefined,
  callerSignal?: AbortSignal,
  ending = new LightSignal(),
) =>
  beginCall({
    stats: new StatsRecorder(),
    model: 'm',
    budget: undefined,
    kit,
    totalMs,
    callerSignal,
    ending,
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('beginCall', () => {
  it("runs under the provider's ending signal itself when there is neither a deadline nor a caller signal", () => {
    const ending = new LightSignal();
    expect(begin(undefined, undefined, ending).signal).toBe(ending);
  });

  it('aborts with the ending signal while running, whatever else it follows, and not once ended', () => {
    const ending = new LightSignal();
    const caller = new AbortController();
    const scopes = [begin(undefined, caller.signal, ending), begin(60_000, undefined, ending)];
    const ended = begin(60_000, caller.signal, ending);
    ended.end();
    const reason = new Error('destroyed');
    ending.abort(reason);
    for (const scope of scopes) expect(scope.signal.reason).toBe(reason);
    expect(ended.signal.aborted).toBe(false);
    for (const scope of scopes) scope.end();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts its signal with the total timeout error at totalMs, and not once ended', () => {
    vi.useFakeTimers();
    const running = begin(1_000);
    const ended = begin(1_000);
    ended.end();
    vi.advanceTimersByTime(999);
    expect(running.signal!.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(running.signal!.aborted).toBe(true);
    expect(running.signal!.reason).toMatchObject({ timeout: 'total', timeoutMs: 1_000 });
    expect(ended.signal!.aborted).toBe(false);
  });

  it("aborts with the caller's reason, and leaves no listener on the caller's signal once ended", () => {
    const caller = new AbortController();
    const scopes = Array.from({ length: 20 }, () => begin(60_000, caller.signal));
    // One listener for the 20 (a signal gets one however many calls share it), kept while one
    // scope is left.
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    for (const scope of scopes.slice(1)) scope.end();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    const others = new AbortController();
    for (const scope of Array.from({ length: 5 }, () => begin(60_000, others.signal))) scope.end();
    expect(getEventListeners(others.signal, 'abort')).toHaveLength(0);
    const reason = new Error('caller left');
    caller.abort(reason);
    expect(scopes[0]!.signal!.aborted).toBe(true);
    expect(scopes[0]!.signal!.reason).toBe(reason);
    scopes[0]!.end();
  });

  it("starts aborted when the caller's signal already is", () => {
    const caller = new AbortController();
    caller.abort(new Error('too late'));
    const scope = begin(60_000, caller.signal);
    expect(scope.signal!.aborted).toBe(true);
    expect(scope.signal!.reason).toEqual(new Error('too late'));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    scope.end();
  });
});
