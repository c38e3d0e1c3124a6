import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dispatcher, interceptors, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { isPoolRedirectError } from './errors';
import { createPool } from './pool';

type Interceptor = Dispatcher.DispatcherComposeInterceptor;
type Headers = Record<string, string>;

const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that records the headers it gets, and one that redirects to it (or to itself). */
async function redirectPair() {
  const seen: http.IncomingHttpHeaders[] = [];
  const other = await listen((req, res) => {
    seen.push(req.headers);
    res.end('{}');
  });
  const api = await listen((req, res) => {
    if (req.url === '/same') res.end('same');
    else if (req.url === '/to-same') res.writeHead(302, { location: '/same' }).end();
    else res.writeHead(302, { location: `${other}/steal?k=1` }).end();
  });
  return { seen, other, api };
}

/**
 * An interceptor of a caller's that follows a `3xx` itself with a handler of undici's legacy
 * style, dispatching that one handler (`this`) again for every hop, with every header.
 */
function legacyFollower(): Interceptor {
  return (dispatch) => (opts, given) => {
    const outer = given as Required<Dispatcher.DispatchHandler>;
    let abort: (error?: Error) => void = () => {};
    const controller = {
      abort: (error: Error) => abort(error),
      pause() {},
      resume() {},
      aborted: false,
      paused: false,
      reason: null,
    } as unknown as Dispatcher.DispatchController;
    let current = opts;
    let location: string | undefined;
    let started = false;
    const follower = {
      onConnect(this: unknown, own: (error?: Error) => void) {
        abort = own;
        if (!started) outer.onRequestStart(controller, {});
        started = true;
      },
      onHeaders(this: unknown, status: number, raw: Buffer[], _resume: () => void, text: string) {
        const headers: Headers = {};
        for (let i = 0; i < raw.length; i += 2) {
          headers[raw[i]!.toString('latin1').toLowerCase()] = raw[i + 1]!.toString('latin1');
        }
        location = status >= 300 && status < 400 ? headers.location : undefined;
        if (location === undefined) outer.onResponseStart(controller, status, headers, text);
        return true;
      },
      onData(this: unknown, chunk: Buffer) {
        if (location === undefined) outer.onResponseData(controller, chunk);
        return true;
      },
      onComplete(this: Dispatcher.DispatchHandler) {
        if (location === undefined) {
          outer.onResponseEnd(controller, {});
          return;
        }
        const next = new URL(location, String(current.origin));
        current = { ...current, origin: next.origin, path: next.pathname + next.search };
        location = undefined;
        dispatch(current, this);
      },
      onError(this: unknown, error: Error) {
        outer.onResponseError(controller, error);
      },
    };
    return dispatch(opts, follower as unknown as Dispatcher.DispatchHandler);
  };
}

/** The follower alone, composed before other interceptors, and after them. */
const orders: [string, () => Interceptor[]][] = [
  ['alone', () => [legacyFollower()]],
  ['before retry and dns', () => [legacyFollower(), interceptors.retry(), interceptors.dns()]],
  ['after retry and dns', () => [interceptors.dns(), interceptors.retry(), legacyFollower()]],
  ['between them', () => [interceptors.retry(), legacyFollower(), interceptors.dns()]],
];

describe('an interceptor that follows a redirect with its own legacy-style handler', () => {
  for (const [name, layers] of orders) {
    it(`is refused a 302 to another origin carrying x-api-key (${name})`, async () => {
      const { seen, other, api } = await redirectPair();
      const pool = createPool();
      closers.push(() => pool.destroy());
      const error = await undiciRequest(`${api}/v1/x`, {
        dispatcher: pool.dispatcher.compose(layers()),
        headers: { 'x-api-key': 'sk-secret' },
      }).catch((e: unknown) => e);
      expect(isPoolRedirectError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_POOL_REDIRECT', status: 302, origin: other });
      expect(String((error as Error).message)).not.toContain('sk-secret');
      expect(seen).toEqual([]);
    });

    it(`follows a redirect within the origin, and one away without a credential (${name})`, async () => {
      const { seen, api } = await redirectPair();
      const pool = createPool();
      closers.push(() => pool.destroy());
      const dispatcher = pool.dispatcher.compose(layers());
      const same = await undiciRequest(`${api}/to-same`, {
        dispatcher,
        headers: { 'x-api-key': 'sk-secret' },
      });
      expect(same.statusCode).toBe(200);
      expect(await same.body.text()).toBe('same');
      const away = await undiciRequest(`${api}/v1/x`, { dispatcher, headers: { accept: '*/*' } });
      expect(await away.body.text()).toBe('{}');
      expect(seen).toHaveLength(1);
    });
  }
});
