import { getMaxListeners, setMaxListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liftAbortListenerLimit } from './listener-limit';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('liftAbortListenerLimit', () => {
  it('lets fifty listeners share a signal at the default limit without a warning', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const { signal } = new AbortController();
    liftAbortListenerLimit(signal);
    const listeners = Array.from({ length: 50 }, () => () => {});
    for (const listener of listeners) signal.addEventListener('abort', listener);
    for (const listener of listeners) signal.removeEventListener('abort', listener);
    expect(warn).not.toHaveBeenCalled();
  });

  it('leaves a limit that getMaxListeners() can read again, so a shared signal costs no exception', () => {
    const { signal } = new AbortController();
    liftAbortListenerLimit(signal);
    // Node 20 throws ERR_INVALID_ARG_TYPE here for a limit of 0, which the next lift then caught.
    expect(getMaxListeners(signal)).toBe(Number.POSITIVE_INFINITY);
    liftAbortListenerLimit(signal);
    expect(getMaxListeners(signal)).toBe(Number.POSITIVE_INFINITY);
  });

  it('leaves alone a limit the signal owner set, and ignores a look-alike signal', () => {
    const { signal } = new AbortController();
    setMaxListeners(3, signal);
    liftAbortListenerLimit(signal);
    expect(getMaxListeners(signal)).toBe(3);
    expect(() => liftAbortListenerLimit({ aborted: false } as AbortSignal)).not.toThrow();
  });
});
