import { isAbortSignal, liftAbortListenerLimit } from '@x/internal';
import { type Dispatcher, errors as undiciErrors } from 'undici';
import { originKey } from './origins';
import { SignalRelay } from './signal-relay';

type Handler = Dispatcher.DispatchHandler;

export function noop(): void {}

/** The origin a dispatch is for, checked as undici's dispatchers do (its InvalidArgumentError). */
export function dispatchOrigin(opts: Dispatcher.DispatchOptions): string {
  if (opts === null || typeof opts !== 'object') {
    throw new undiciErrors.InvalidArgumentError('opts must be an object.');
  }
  const key = originKey(opts.origin);
  if (key === undefined) {
    throw new undiciErrors.InvalidArgumentError('opts.origin must be a string or a URL');
  }
  return key;
}

/** A controller for new-style (undici 7) handlers that receive an error before any request start. */
const detachedController = {
  abort: noop,
  pause: noop,
  resume: noop,
  aborted: false,
  paused: false,
  reason: null,
  rawHeaders: null,
  rawTrailers: null,
};

/** Fails a request that never reached a connection, whichever handler style it uses. */
export function failHandler(handler: Handler, error: Error): void {
  const h = handler as {
    onError?: ((error: Error) => void) | undefined;
    onResponseError?: ((controller: unknown, error: Error) => void) | undefined;
  };
  if (typeof h.onError === 'function') h.onError(error);
  else if (typeof h.onResponseError === 'function') h.onResponseError(detachedController, error);
  else throw error;
}

/**
 * The caller's signal of a request: `opts.signal`, or the signal behind the stand-in
 * `pool.request` gives undici in its place ({@link SignalRelay}).
 */
export function requestSignal(opts: Dispatcher.DispatchOptions): AbortSignal | undefined {
  const signal = (opts as { signal?: unknown }).signal;
  if (signal == null) return undefined;
  if (signal instanceof SignalRelay) return signal.signal;
  return isAbortSignal(signal) ? signal : undefined;
}

/**
 * Prepares the caller's `signal` of a request before it is dispatched; true when the request was
 * refused for it. undici's client sees an aborted signal only once its socket connects: refused
 * here, the request rejects with the signal's reason and opens no socket, as it does when queued.
 * And undici's `request` called with `pool.dispatcher` adds an abort listener to the signal per
 * request without lifting Node's limit: many requests sharing one signal would print
 * MaxListenersExceededWarning (`pool.request` hands undici a stand-in, whose listener is ours).
 */
export function refusedForSignal(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
  const signal = (opts as { signal?: unknown }).signal;
  if (signal == null) return false;
  if (signal instanceof SignalRelay) {
    if (!signal.aborted) return false;
  } else if (!isAbortSignal(signal)) {
    return false;
  } else if (!signal.aborted) {
    liftAbortListenerLimit(signal);
    return false;
  }
  failHandler(handler, signal.reason as Error);
  return true;
}
