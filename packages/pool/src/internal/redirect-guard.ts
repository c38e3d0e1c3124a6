import { SECRET_HEADER } from '@x/internal';
import type { Dispatcher } from 'undici';
import { PoolRedirectError } from '../errors';
import type { StatusWatch } from './forwarding-handlers';
import { type RedirectWatch, watchRedirects } from './guarded-handler';
import { dispatchOrigin, failHandler } from './handlers';
import { displayOrigin } from './origins';
import { forEachHeader } from './scrub';

/**
 * A header named like a credential (`SECRET_HEADER`, wide on purpose) that is none: an
 * idempotency key (OpenAI's, Stripe's) is an id the caller made, and refusing a redirect over it
 * would break a request that leaks nothing.
 */
const NOT_A_CREDENTIAL = /^(?:x-)?idempotency-key$/i;

const isCredential = (name: string): boolean =>
  SECRET_HEADER.test(name) && !NOT_A_CREDENTIAL.test(name);

/** True when `headers` name a credential. */
function carriesCredential(headers: unknown): boolean {
  let found = false;
  forEachHeader(headers, (name) => {
    if (typeof name === 'string' && isCredential(name)) found = true;
  });
  return found;
}

/**
 * The dispatcher one `pool.fetch` call goes through. undici's `fetch` follows a redirect to
 * another origin with every header but `Authorization`, `Proxy-Authorization` and `Cookie`: an
 * `x-api-key` or `api-key` would reach whatever host a `Location` names. fetch dispatches each
 * hop anew, so a hop to an origin other than the first one's, still carrying a header named like
 * a credential (`SECRET_HEADER`), is refused here, before anything is sent to it, with a
 * {@link PoolRedirectError} naming the redirect's status and the target origin only.
 * `send` is the pool's dispatch (with the caller's signal, where there is one).
 */
export function redirectGuard(
  send: (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean,
): Dispatcher {
  let hop: Hop | undefined;
  const dispatch = (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
    let key: string | undefined;
    try {
      key = dispatchOrigin(opts);
    } catch {
      return send(opts, handler); // the pool refuses it in its own words
    }
    if (hop === undefined) hop = new Hop(key);
    else if (key !== hop.origin && carriesCredential(opts.headers)) {
      failHandler(handler, new PoolRedirectError(hop.redirect, displayOrigin(key)));
      return true;
    }
    hop.redirect = 0;
    const seen = hop;
    // The status of each hop's response, to name the redirect that is refused.
    const inner = handler as {
      onHeaders?: ((status: number, ...rest: unknown[]) => unknown) | undefined;
    };
    if (typeof inner.onHeaders !== 'function') return send(opts, handler);
    const onHeaders = inner.onHeaders;
    const watched = Object.create(handler, {
      onHeaders: {
        value(this: unknown, code: number, ...rest: unknown[]) {
          seen.saw(code);
          return onHeaders.call(this, code, ...rest);
        },
      },
    }) as Dispatcher.DispatchHandler;
    return send(opts, watched);
  };
  return { dispatch } as unknown as Dispatcher;
}

/** A redirect's status: a `3xx`. */
const isRedirect = (status: number): boolean => status >= 300 && status < 400;

/**
 * The first origin of a request's hops, and the redirect its latest dispatch was answered with.
 * The one place that says what a redirect is, for every guard: a `3xx` seen since the latest
 * dispatch. Each dispatch starts with none, so a handler sent again with no redirect between (a
 * dns or failover interceptor retrying after an error) follows nothing, even after a redirect
 * it followed within the origin, or a `3xx` whose response then failed.
 */
class Hop implements StatusWatch {
  readonly origin: string;
  /** The `3xx` the latest dispatch was answered with; 0 for none. */
  redirect = 0;

  constructor(origin: string) {
    this.origin = origin;
  }

  saw(status: number): void {
    if (isRedirect(status)) this.redirect = status;
  }
}

/**
 * The same refusal for handlers that dispatch themselves again to follow a redirect, as undici's
 * `interceptors.redirect()` composed onto `pool.dispatcher` does (one handler object for every
 * hop, with only `Authorization`, `Cookie` and `Proxy-Authorization` dropped for another
 * origin), or a handler of a caller's (or of an older library's, written for undici's legacy
 * style) that follows a `3xx` by sending itself to `pool.dispatcher.dispatch` again. Held weakly:
 * nothing outlives the handler. The pool's dispatch keeps one, for handlers of both styles; each
 * layer of `pool.dispatcher.compose()` keeps one too (`compose-guard.ts`): an interceptor between
 * the redirect interceptor and the pool (undici's `dns`, `retry`) hands the pool a new handler
 * for every hop, and an interceptor of a caller's may follow a redirect with a legacy handler of
 * its own. (undici's `fetch` cannot be covered here: it follows a redirect above the dispatcher,
 * with a new handler and new options per hop, alike at the dispatch to one a caller makes after
 * `redirect: 'manual'`. `pool.fetch` is covered by {@link redirectGuard}.)
 */
export class RedirectHops implements RedirectWatch {
  readonly #hops = new WeakMap<object, Hop>();

  /**
   * The dispatch of `given` to `key`: the {@link PoolRedirectError} it is refused with when it
   * follows a `3xx` to another origin carrying a credential header; else what is to be told the
   * statuses it is answered with.
   */
  enter(given: object, key: string, headers: unknown): StatusWatch | PoolRedirectError {
    let hop = this.#hops.get(given);
    if (hop === undefined) {
      hop = new Hop(key);
      this.#hops.set(given, hop);
    } else if (hop.redirect !== 0 && key !== hop.origin && carriesCredential(headers)) {
      // After a 3xx only: a handler sent again with no redirect between (undici's dns
      // interceptor trying the next address, a failover interceptor) follows nothing.
      return new PoolRedirectError(hop.redirect, displayOrigin(key));
    }
    hop.redirect = 0;
    return hop;
  }

  /**
   * True when the dispatch of `given` (the caller's handler; `guarded`, the pool's wrapper) to
   * `key` was refused, and `guarded` failed with a {@link PoolRedirectError}.
   *
   * A handler is held only from its first `3xx` ({@link answered}): the pool's own callers,
   * undici's APIs (`request`, `stream`, `fetch`) and the providers send one handler per request,
   * never again, and an entry per request would cost the hot path a weak entry each (an ephemeron
   * the collector walks). Its hops are counted from the dispatch answered with that `3xx`: a
   * handler sent to another origin after an error before any redirect (a failover) is held to the
   * origin it failed over to.
   */
  refused(
    given: object,
    guarded: Dispatcher.DispatchHandler,
    key: string,
    headers: unknown,
  ): boolean {
    if (this.#hops.get(given) !== undefined) {
      const refusal = this.enter(given, key, headers);
      if (refusal instanceof PoolRedirectError) {
        failHandler(guarded, refusal);
        return true;
      }
    }
    watchRedirects(guarded, this, key);
    return false;
  }

  /** A dispatch of `given` to `key` was answered with `status` ({@link refused}). */
  answered(given: object, key: string, status: number): void {
    if (!isRedirect(status)) return;
    let hop = this.#hops.get(given);
    if (hop === undefined) {
      hop = new Hop(key);
      this.#hops.set(given, hop);
    }
    hop.saw(status);
  }
}
