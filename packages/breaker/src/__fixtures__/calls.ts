// The functions and records the breaker's tests share: calls that settle at once or after a
// (fake) delay, and the transitions a breaker went through, as `from>to:reason`.
import type { Breaker, StateChangeEvent } from '../index';

export const ok = () => Promise.resolve('ok');
export const boom = () => Promise.reject(new Error('boom'));
export const after = <T>(ms: number, value: T) =>
  new Promise<T>((r) => setTimeout(() => r(value), ms));
export const failAfter = (ms: number) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error('later')), ms));

export const path = (events: StateChangeEvent[]) =>
  events.map((e) => `${e.from}>${e.to}:${e.reason}`);

/** Every transition of `breaker` from now on, in order. */
export function recordTransitions(breaker: Breaker): StateChangeEvent[] {
  const events: StateChangeEvent[] = [];
  breaker.onStateChange((event) => events.push(event));
  return events;
}
