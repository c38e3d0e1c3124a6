import type { Dispatcher } from 'undici';
import { PoolRedirectError } from '../errors';
import {
  LegacyForwarder,
  type LegacyHandler,
  NewStyleForwarder,
  type NewStyleHandler,
  type StatusWatch,
} from './forwarding-handlers';
import { isLegacyHandler } from './guarded-handler';
import { dispatchOrigin, failHandler } from './handlers';
import { RedirectHops } from './redirect-guard';

type Dispatch = Dispatcher.Dispatch;
type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/**
 * One dispatch of a handler, passed on in its place to be told the response's status, of the
 * handler's style: an interceptor of a caller's may dispatch a legacy one (`onConnect`,
 * `onHeaders`...) again itself to follow a redirect. The handler's own methods are called on the
 * handler itself, so a redirect handler that dispatches `this` again for its next hop dispatches
 * itself, which the layer recognises.
 */
type Watch = (handler: object, hop: StatusWatch) => Dispatcher.DispatchHandler;
const watchNewStyle: Watch = (handler, hop) =>
  new NewStyleForwarder(handler as NewStyleHandler, hop) as Dispatcher.DispatchHandler;
const watchLegacy: Watch = (handler, hop) =>
  new LegacyForwarder(handler as LegacyHandler, hop) as unknown as Dispatcher.DispatchHandler;

/**
 * How a handler is watched, told apart as undici does (a truthy `onRequestStart` makes the newer
 * style); undefined for one undici or the pool would refuse (no `onResponseError`, a legacy
 * method missing), which is passed on as it is, for them to refuse in their own words.
 */
function watchFor(handler: unknown, opts: Dispatcher.DispatchOptions): Watch | undefined {
  if (handler === null || typeof handler !== 'object') return undefined;
  const h = handler as NewStyleHandler;
  if (h.onRequestStart) return typeof h.onResponseError === 'function' ? watchNewStyle : undefined;
  return isLegacyHandler(handler, opts) ? watchLegacy : undefined;
}

/**
 * `dispatch` with the pool's redirect refusal ({@link RedirectHops}) for the handlers given to it:
 * one layer's own. A handler it sees again after a `3xx` (undici's redirect interceptor sends one
 * handler for every hop; an interceptor of a caller's may send its own legacy one) going to
 * another origin with a credential header fails with a {@link PoolRedirectError}, and nothing is
 * dispatched; any other is passed on watched ({@link watchFor}).
 */
function guardLayer(dispatch: Dispatch): Dispatch {
  const hops = new RedirectHops();
  return (opts, handler) => {
    const watch = watchFor(handler, opts);
    if (watch === undefined) return dispatch(opts, handler);
    let key: string;
    try {
      key = dispatchOrigin(opts);
    } catch {
      return dispatch(opts, handler);
    }
    const hop = hops.enter(handler, key, opts.headers);
    if (hop instanceof PoolRedirectError) {
      failHandler(handler, hop);
      return true;
    }
    return dispatch(opts, watch(handler, hop));
  };
}

/**
 * The interceptors given to `compose()` (as undici takes them: a list, or one array first), each
 * handed a guarded dispatch ({@link guardLayer}), and one more last, guarding the dispatch the
 * caller gets. The pool's own guard sees only the handlers the nearest interceptor passes: one
 * that wraps each dispatch's handler (undici's `dns` for a hostname, `retry`, most of a caller's)
 * would hand it a new one for every hop of the redirect interceptor composed after it. Anything
 * that is no function is left in place for undici to skip (`null`) or refuse.
 */
export function guardLayers(args: readonly unknown[]): unknown[] {
  const given: readonly unknown[] = Array.isArray(args[0]) ? args[0] : args;
  const layers = given.map((interceptor) =>
    typeof interceptor === 'function'
      ? (dispatch: Dispatch) => (interceptor as Interceptor)(guardLayer(dispatch))
      : interceptor,
  );
  layers.push((dispatch: Dispatch) => guardLayer(dispatch));
  return layers;
}
