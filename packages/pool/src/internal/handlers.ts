import type { Dispatcher } from 'undici';

type Handler = Dispatcher.DispatchHandler;

export function noop(): void {}

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
