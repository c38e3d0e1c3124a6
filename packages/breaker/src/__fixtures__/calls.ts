// The functions and records the breaker's tests share: the fake clock each test starts on, calls
// that settle at once or after a (fake) delay, failures in a row, the transitions a breaker went
// through, as `from>to:reason`, a breaker brought to half-open, and a call refused as open.
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Breaker, StateChangeEvent } from '../index';
import { isBreakerOpenError } from '../index';

export const ok = () => Promise.resolve('ok');
export const boom = () => Promise.reject(new Error('boom'));
export const after = <T>(ms: number, value: T) =>
  new Promise<T>((r) => setTimeout(() => r(value), ms));
export const failAfter = (ms: number) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error('later')), ms));

/** Every test of the calling file starts on vitest's fake clock, and leaves the real one behind. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** `times` calls of `breaker` that fail, one after the other. */
export async function fail(breaker: Breaker, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await breaker.execute(boom).catch(() => {});
}

export const path = (events: StateChangeEvent[]) =>
  events.map((e) => `${e.from}>${e.to}:${e.reason}`);

/** Every transition of `breaker` from now on, in order. */
export function recordTransitions(breaker: Breaker): StateChangeEvent[] {
  const events: StateChangeEvent[] = [];
  breaker.onStateChange((event) => events.push(event));
  return events;
}

/**
 * Trips `breaker` (`failureThreshold: 1`) with one failure and lets its open period (100 ms at
 * most) pass on the fake clock: the next call is a probe.
 */
export async function toHalfOpen(breaker: Breaker): Promise<Breaker> {
  await breaker.execute(boom).catch(() => {});
  await vi.advanceTimersByTimeAsync(100);
  return breaker;
}

/**
 * A call a listener makes is awaited only once the test has moved the clock: marked handled now,
 * or its refusal would be reported as an unhandled rejection in between (the same promise is
 * still awaited, and checked, later).
 */
export function handled<T>(call: Promise<T>): Promise<T> {
  call.catch(() => {});
  return call;
}

/** `call` was refused as open (`reason: 'open'`) with this `retryAfterMs`. */
export async function expectRefusedAsOpen(
  call: Promise<unknown> | undefined,
  retryAfterMs: number,
): Promise<void> {
  const error = await call?.catch((e: unknown) => e);
  expect(isBreakerOpenError(error)).toBe(true);
  expect(error).toMatchObject({ reason: 'open', state: 'open', retryAfterMs });
}
