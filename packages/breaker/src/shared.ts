import { releaseShared, sharedInstance } from '@x/internal';
import { createBreaker } from './breaker';
import { type BreakerOptions, resolveOptions } from './options';
import type { Breaker } from './types';

/**
 * The process-wide breaker named `name`, created on first ask with `options` (its `name` option
 * defaulting to `name`): every caller that asks for the same name, in any copy of this package
 * in the process, shares one outage state. Asked with options, they must equal the ones it was
 * created with (a `RangeError` names the first that differs); asked without, it is used as it is.
 *
 * A name is a label (`'ollama-local'`): it appears in events and metrics, so it is never derived
 * from a key; a name that holds a URL with a password or looks like a key is a `RangeError`.
 * A breaker holds no timer or socket while idle: {@link releaseSharedBreaker} forgets one.
 *
 * @throws TypeError / RangeError for an invalid name or option, or options that conflict.
 * @example
 * ```ts
 * const breaker = sharedBreaker('ollama-local', breakerPresets.ollama);
 * sharedBreaker('ollama-local') === breaker; // true, anywhere in the process
 * ```
 */
export function sharedBreaker(name: string, options?: BreakerOptions): Breaker {
  return sharedInstance({
    pkg: 'breaker',
    kind: 'breaker',
    label: 'shared breaker',
    name,
    options,
    create: (o) => createBreaker({ name, ...(o as BreakerOptions) }),
    check: (o) => resolveOptions({ name, ...(o as BreakerOptions) }),
    closes: false,
  });
}

/**
 * Forgets the shared breaker named `name` (a `close()` of a breaker closes its circuit, it does
 * not end it): the next {@link sharedBreaker} of that name creates a fresh one. Those who hold
 * the old one keep using it. True when there was one.
 */
export function releaseSharedBreaker(name: string): boolean {
  return releaseShared('breaker', 'breaker', name);
}
