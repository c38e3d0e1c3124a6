import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher, interceptors, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { isPoolRedirectError } from './errors';
import { createPool, type Pool } from './pool';

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

function pool(): Pool {
  const p = createPool();
  closers.push(() => p.destroy());
  return p;
}

/** A server that records the headers it gets, and one that redirects to it with `status`. */
async function redirectPair(status: number) {
  const seen: http.IncomingHttpHeaders[] = [];
  const other = await listen((req, res) => {
    seen.push(req.headers);
    res.end('{}');
  });
  const api = await listen((req, res) => {
    if (req.url === '/same') res.end('same');
    else if (req.url === '/to-same') res.writeHead(status, { location: '/same' }).end();
    else res.writeHead(status, { location: `${other}/steal?k=1` }).end();
  });
  return { seen, other, api };
}

describe('pool.fetch never follows a redirect to another origin with a credential header', () => {
  for (const name of ['x-api-key', 'api-key', 'x-auth-token']) {
    it(`refuses a 307 to another origin carrying ${name}, sending nothing there`, async () => {
      const { seen, other, api } = await redirectPair(307);
      const error = await pool()
        .fetch(`${api}/v1/x`, { method: 'POST', headers: { [name]: 'sk-secret-123' }, body: '{}' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      const cause = (error as Error).cause;
      expect(isPoolRedirectError(cause)).toBe(true);
      expect(cause).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
      expect((cause as Error).message).not.toContain('steal');
      expect(seen).toEqual([]);
    });
  }

  it('refuses a 302 for a GET too (a Request given as input)', async () => {
    const { seen, api } = await redirectPair(302);
    const request = new Request(`${api}/v1/x`, { headers: { 'x-api-key': 'sk-secret-123' } });
    const error = await pool()
      .fetch(request)
      .catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({ code: 'X_POOL_REDIRECT', status: 302 });
    expect(seen).toEqual([]);
  });

  it('follows a redirect within the origin, with the header', async () => {
    const { api } = await redirectPair(307);
    const res = await pool().fetch(`${api}/to-same`, { headers: { 'x-api-key': 'k-123456' } });
    expect(await res.text()).toBe('same');
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${api}/same`);
  });

  it('follows a redirect to another origin when only headers fetch drops itself are set', async () => {
    const { seen, api } = await redirectPair(307);
    const res = await pool().fetch(`${api}/v1/x`, {
      headers: { authorization: 'Bearer sk-secret-123', accept: 'application/json' },
    });
    expect(res.redirected).toBe(true);
    await res.text();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toBeUndefined();
  });

  it('follows a redirect to another origin with an idempotency key, which is no credential', async () => {
    const { seen, api } = await redirectPair(307);
    const res = await pool().fetch(`${api}/v1/x`, {
      method: 'POST',
      headers: { 'idempotency-key': 'order-42', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.redirected).toBe(true);
    await res.text();
    expect(seen).toHaveLength(1);
    expect(seen[0]!['idempotency-key']).toBe('order-42');
  });

  it("redirect: 'manual' hands the 3xx back, as fetch does", async () => {
    const { seen, api } = await redirectPair(307);
    const res = await pool().fetch(`${api}/v1/x`, {
      headers: { 'x-api-key': 'sk-secret-123' },
      redirect: 'manual',
    });
    expect(res.status).toBe(307);
    await res.arrayBuffer();
    expect(seen).toEqual([]);
  });
});

describe("undici's redirect interceptor composed onto pool.dispatcher", () => {
  const following = (p: Pool) =>
    p.dispatcher.compose(interceptors.redirect({ maxRedirections: 3 }));

  it('refuses a 307 to another origin carrying x-api-key, sending nothing there', async () => {
    const { seen, other, api } = await redirectPair(307);
    const error = await undiciRequest(`${api}/v1/x`, {
      dispatcher: following(pool()),
      headers: { 'x-api-key': 'sk-secret-123' },
    }).catch((e: unknown) => e);
    expect(isPoolRedirectError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
    expect(seen).toEqual([]);
  });

  it('follows a redirect within the origin, and one to another origin without a credential', async () => {
    const { seen, api } = await redirectPair(302);
    const p = pool();
    const same = await undiciRequest(`${api}/to-same`, {
      dispatcher: following(p),
      headers: { 'x-api-key': 'k-123456' },
    });
    expect(await same.body.text()).toBe('same');
    const away = await undiciRequest(`${api}/v1/x`, {
      dispatcher: following(p),
      headers: { 'idempotency-key': 'order-42' },
    });
    expect(await away.body.text()).toBe('{}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!['idempotency-key']).toBe('order-42');
  });
});

describe('a handler sent again without a redirect (a failover interceptor)', () => {
  it('reaches the other origin with its credential: nothing was followed', async () => {
    const live = await listen((req, res) => res.end(`ok ${req.headers['x-api-key']}`));
    // A port nobody listens on any more: the first try is refused before any answer.
    const dead = await listen(() => {});
    await closers.pop()!();
    // As undici's dns interceptor does between addresses: the same handler, another origin.
    const failover: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
      let again = false;
      const retrying: Dispatcher.DispatchHandler = {
        onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
        onResponseStart: (...args) => handler.onResponseStart?.(...args),
        onResponseData: (...args) => handler.onResponseData?.(...args),
        onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
        onResponseError: (controller, error) => {
          if (again) return handler.onResponseError?.(controller, error);
          again = true;
          dispatch({ ...opts, origin: live }, retrying);
        },
      };
      return dispatch(opts, retrying);
    };
    const res = await undiciRequest(`${dead}/v1/x`, {
      dispatcher: pool().dispatcher.compose(failover),
      headers: { 'x-api-key': 'k-123456' },
    });
    expect(await res.body.text()).toBe('ok k-123456');
  });
});

describe('a redirect followed within the origin, then a handler sent again after an error', () => {
  /**
   * A failover interceptor: a try that fails before any answer is sent once more, to `to`. As
   * undici's dns interceptor does between addresses, it sends the same handler again; and it keeps
   * one handler per request (`given`) for every try, across the redirect's hops too, so the pool
   * sees one handler for the redirect followed and for the try after the failure.
   */
  const failover =
    (to: string): Dispatcher.DispatcherComposeInterceptor =>
    (dispatch) => {
      const tries = new WeakMap<object, { opts: Dispatcher.DispatchOptions }>();
      const handlers = new WeakMap<object, Dispatcher.DispatchHandler>();
      return (opts, given) => {
        let state = tries.get(given);
        if (state === undefined) {
          const s = { opts, failedOver: false };
          state = s;
          tries.set(given, s);
          handlers.set(given, {
            onRequestStart: (...args) => given.onRequestStart?.(...args),
            onResponseStart: (...args) => given.onResponseStart?.(...args),
            onResponseData: (...args) => given.onResponseData?.(...args),
            onResponseEnd: (...args) => given.onResponseEnd?.(...args),
            onResponseError: (controller, error) => {
              if (s.failedOver) return given.onResponseError?.(controller, error);
              s.failedOver = true;
              dispatch({ ...s.opts, origin: to }, handlers.get(given)!);
            },
          });
        }
        state.opts = opts;
        return dispatch(opts, handlers.get(given)!);
      };
    };

  /** `api` redirects `/to-same` to `/same` with `status`, whose socket it then closes unanswered. */
  async function servers(status: number) {
    const seen: string[] = [];
    const live = await listen((req, res) => {
      seen.push(String(req.url));
      res.end(`ok ${req.headers['x-api-key']}`);
    });
    const api = await listen((req, res) => {
      if (req.url === '/to-same') res.writeHead(status, { location: '/same' }).end();
      else req.socket.destroy();
    });
    return { seen, live, api };
  }

  for (const status of [302, 307]) {
    it(`reaches the failover origin with its credential after a ${status} within the origin: nothing was followed there`, async () => {
      const { seen, live, api } = await servers(status);
      const res = await undiciRequest(`${api}/to-same`, {
        dispatcher: pool().dispatcher.compose(
          failover(live),
          interceptors.redirect({ maxRedirections: 3 }),
        ),
        headers: { 'x-api-key': 'k-123456' },
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('ok k-123456');
      expect(seen).toEqual(['/same']);
    });
  }

  it('still refuses a redirect to another origin after one within the origin', async () => {
    const seen: string[] = [];
    const other = await listen((req, res) => {
      seen.push(String(req.url));
      res.end('{}');
    });
    const api = await listen((req, res) => {
      if (req.url === '/first') res.writeHead(302, { location: '/second' }).end();
      else res.writeHead(307, { location: `${other}/steal` }).end();
    });
    const error = await undiciRequest(`${api}/first`, {
      dispatcher: pool().dispatcher.compose(
        failover(other),
        interceptors.redirect({ maxRedirections: 3 }),
      ),
      headers: { 'x-api-key': 'sk-secret-123' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
    expect(seen).toEqual([]);
  });
});

describe("undici's redirect and dns interceptors composed onto pool.dispatcher", () => {
  it('refuses a 307 to another origin carrying x-api-key when the redirect interceptor is composed first', async () => {
    const { seen, other, api } = await redirectPair(307);
    // undici's dns interceptor, answering every name with the loopback address.
    const dns = interceptors.dns({
      dualStack: false,
      lookup: (_origin, _opts, callback) =>
        callback(null, [{ address: '127.0.0.1', family: 4, ttl: 60_000 }]),
    });
    const named = api.replace('127.0.0.1', 'api.test');
    const error = await undiciRequest(`${named}/v1/x`, {
      // The redirect interceptor right onto the pool, the dns one after it.
      dispatcher: pool().dispatcher.compose(interceptors.redirect({ maxRedirections: 3 }), dns),
      headers: { 'x-api-key': 'sk-secret-123' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
    expect(seen).toEqual([]);
  });
});

describe("undici's redirect interceptor composed after interceptors that wrap each hop's handler", () => {
  /** undici's dns interceptor, answering every name with the loopback address. */
  const dns = () =>
    interceptors.dns({
      dualStack: false,
      lookup: (_origin, _opts, callback) =>
        callback(null, [{ address: '127.0.0.1', family: 4, ttl: 60_000 }]),
    });
  /** An interceptor of yours that hands each dispatch a handler of its own. */
  const decorate: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart: (...args) => handler.onRequestStart?.(...args),
      onResponseStart: (...args) => handler.onResponseStart?.(...args),
      onResponseData: (...args) => handler.onResponseData?.(...args),
      onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
      onResponseError: (...args) => handler.onResponseError?.(...args),
    });
  const redirect = () => interceptors.redirect({ maxRedirections: 3 });
  /** Each order, and whether a name is looked up by the dns interceptor (`api.test`). */
  const orders: [string, (p: Pool) => Dispatcher, boolean][] = [
    ['dns, then redirect', (p) => p.dispatcher.compose(dns(), redirect()), true],
    ['retry, then redirect', (p) => p.dispatcher.compose(interceptors.retry(), redirect()), false],
    [
      'an interceptor of yours, then redirect',
      (p) => p.dispatcher.compose(decorate, redirect()),
      false,
    ],
    [
      'dns, retry, then redirect',
      (p) => p.dispatcher.compose(dns(), interceptors.retry(), redirect()),
      true,
    ],
    ['[dns, redirect] as one array', (p) => p.dispatcher.compose([dns(), redirect()]), true],
    [
      'dns, then redirect, in two compose calls',
      (p) => p.dispatcher.compose(dns()).compose(redirect()),
      true,
    ],
    [
      'redirect between two interceptors',
      (p) => p.dispatcher.compose(decorate, redirect(), dns()),
      true,
    ],
  ];

  for (const [order, compose, named] of orders) {
    const host = (api: string) => (named ? api.replace('127.0.0.1', 'api.test') : api);
    it(`${order}: refuses a 307 to another origin carrying x-api-key, sending nothing there`, async () => {
      const { seen, other, api } = await redirectPair(307);
      const error = await undiciRequest(`${host(api)}/v1/x`, {
        dispatcher: compose(pool()),
        headers: { 'x-api-key': 'sk-secret-123' },
      }).catch((e: unknown) => e);
      expect(isPoolRedirectError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
      expect((error as Error).message).not.toContain('steal');
      expect(seen).toEqual([]);
    });

    it(`${order}: follows a redirect within the origin with the key, and one to another origin without a credential`, async () => {
      const { seen, api } = await redirectPair(302);
      const p = pool();
      const same = await undiciRequest(`${host(api)}/to-same`, {
        dispatcher: compose(p),
        headers: { 'x-api-key': 'k-123456' },
      });
      expect(same.statusCode).toBe(200);
      expect(await same.body.text()).toBe('same');
      const away = await undiciRequest(`${host(api)}/v1/x`, {
        dispatcher: compose(p),
        headers: { 'idempotency-key': 'order-42', authorization: 'Bearer sk-secret-123' },
      });
      expect(await away.body.text()).toBe('{}');
      expect(seen).toHaveLength(1);
      expect(seen[0]!['idempotency-key']).toBe('order-42');
      expect(seen[0]!.authorization).toBeUndefined();
    });
  }

  it('refuses a handler of yours that follows a redirect itself through the composed dispatcher', async () => {
    const { seen, other, api } = await redirectPair(307);
    const composed = pool().dispatcher.compose(decorate);
    const headers = { 'x-api-key': 'sk-secret-123' };
    const outcome = await new Promise<unknown>((resolve) => {
      let location: string | undefined;
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart() {},
        onResponseStart(_controller, status, fields) {
          location = status === 307 ? String(fields.location) : undefined;
        },
        onResponseData() {},
        onResponseEnd() {
          if (location === undefined) return resolve('followed');
          const url = new URL(location);
          location = undefined;
          composed.dispatch(
            { origin: url.origin, path: url.pathname, method: 'GET', headers },
            handler,
          );
        },
        onResponseError: (_controller, error) => resolve(error),
      };
      composed.dispatch({ origin: api, path: '/v1/x', method: 'GET', headers }, handler);
    });
    expect(outcome).toMatchObject({ code: 'X_POOL_REDIRECT', status: 307, origin: other });
    expect(seen).toEqual([]);
  });

  it("keeps undici's compose: the pool's other members, and its refusal of what is no interceptor", async () => {
    const p = pool();
    const composed = p.dispatcher.compose(dns(), null as never, redirect());
    expect(composed).toBeInstanceOf(Dispatcher);
    expect(composed.close).toBe(p.dispatcher.close);
    expect(() => p.dispatcher.compose('dns' as never)).toThrow(
      new TypeError('invalid interceptor, expected function received string'),
    );
    await p.close();
    const error = await undiciRequest('http://127.0.0.1:1/v1/x', { dispatcher: composed }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'X_POOL_CLOSED' });
  });
});

describe('a legacy-style handler that follows a redirect by dispatching itself on pool.dispatcher', () => {
  /**
   * A hand-written redirect follower of undici's legacy handler style, as libraries written for
   * undici 5 and 6 have them: on a `3xx` it sends itself (`this`) to `pool.dispatcher.dispatch`
   * again, for the `Location`, with the same headers. Resolves with the body it ends with, or the
   * error it is failed with.
   */
  function follow(dispatcher: Dispatcher, url: string, headers: Record<string, string>) {
    return new Promise<unknown>((resolve) => {
      const { origin, pathname } = new URL(url);
      let opts: Dispatcher.DispatchOptions = { origin, path: pathname, method: 'POST', headers };
      let location: string | undefined;
      let body = '';
      let hops = 0;
      const handler = {
        onConnect() {},
        onHeaders(status: number, raw: Buffer[]) {
          location = undefined;
          for (let i = 0; i < raw.length; i += 2) {
            if (status >= 300 && status < 400 && String(raw[i]).toLowerCase() === 'location') {
              location = String(raw[i + 1]);
            }
          }
          return true;
        },
        onData(chunk: Buffer) {
          body += chunk.toString();
          return true;
        },
        onComplete(this: Dispatcher.DispatchHandler) {
          if (location === undefined || hops === 5) return resolve(body);
          hops++;
          const next = new URL(location, String(opts.origin));
          opts = { ...opts, origin: next.origin, path: next.pathname + next.search };
          body = '';
          dispatcher.dispatch(opts, this);
        },
        onError: (error: Error) => resolve(error),
      };
      dispatcher.dispatch(opts, handler as unknown as Dispatcher.DispatchHandler);
    });
  }

  for (const status of [307, 302]) {
    it(`is refused a ${status} to another origin carrying x-api-key, sending nothing there`, async () => {
      const { seen, other, api } = await redirectPair(status);
      const outcome = await follow(pool().dispatcher, `${api}/v1/x`, {
        'x-api-key': 'sk-secret-123',
      });
      expect(isPoolRedirectError(outcome)).toBe(true);
      expect(outcome).toMatchObject({ code: 'X_POOL_REDIRECT', status, origin: other });
      expect((outcome as Error).message).not.toContain('sk-secret-123');
      expect((outcome as Error).message).not.toContain('steal');
      expect(seen).toEqual([]);
    });
  }

  it('follows a redirect within the origin with the key, and one to another origin without a credential', async () => {
    const { seen, api } = await redirectPair(307);
    const p = pool();
    expect(await follow(p.dispatcher, `${api}/to-same`, { 'x-api-key': 'k-123456' })).toBe('same');
    const away = await follow(p.dispatcher, `${api}/v1/x`, { 'idempotency-key': 'order-42' });
    expect(away).toBe('{}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!['idempotency-key']).toBe('order-42');
  });

  it('reaches another origin with its key when sent again after an error with no redirect between (a failover)', async () => {
    const live = await listen((req, res) => res.end(`ok ${req.headers['x-api-key']}`));
    // A port nobody listens on any more: the first try is refused before any answer.
    const dead = await listen(() => {});
    await closers.pop()!();
    const p = pool();
    const outcome = await new Promise<unknown>((resolve) => {
      let failedOver = false;
      let body = '';
      const opts = { path: '/v1/x', method: 'GET', headers: { 'x-api-key': 'k-123456' } };
      const handler = {
        onConnect() {},
        onHeaders: () => true,
        onData(chunk: Buffer) {
          body += chunk.toString();
          return true;
        },
        onComplete: () => resolve(body),
        onError(this: Dispatcher.DispatchHandler, error: Error) {
          if (failedOver) return resolve(error);
          failedOver = true;
          p.dispatcher.dispatch({ ...opts, origin: live }, this);
        },
      };
      const given = handler as unknown as Dispatcher.DispatchHandler;
      p.dispatcher.dispatch({ ...opts, origin: dead }, given);
    });
    expect(outcome).toBe('ok k-123456');
  });

  it('leaves pool.request a 3xx to hand back, and its next request free to go anywhere', async () => {
    const { seen, other, api } = await redirectPair(307);
    const p = pool();
    const res = await p.request(`${api}/v1/x`, { headers: { 'x-api-key': 'k-123456' } });
    expect(res.statusCode).toBe(307);
    await res.body.dump();
    const next = await p.request(`${other}/v1/y`, { headers: { 'x-api-key': 'k-123456' } });
    expect(await next.body.text()).toBe('{}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-api-key']).toBe('k-123456');
  });
});

describe("undici's own fetch given pool.dispatcher (documented: use pool.fetch)", () => {
  it('follows a redirect to another origin with x-api-key: fetch follows it above the dispatcher', async () => {
    const { seen, api } = await redirectPair(307);
    const p = pool();
    const headers = { 'x-api-key': 'sk-secret-123' };
    const res = await undiciFetch(`${api}/v1/x`, { dispatcher: p.dispatcher, headers });
    await res.text();
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-api-key']).toBe('sk-secret-123');
    // The remedies the README names: `redirect: 'manual'`, or pool.fetch.
    const manual = await undiciFetch(`${api}/v1/x`, {
      dispatcher: p.dispatcher,
      headers,
      redirect: 'manual',
    });
    expect(manual.status).toBe(307);
    await manual.arrayBuffer();
    const error = await p.fetch(`${api}/v1/x`, { headers }).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({ code: 'X_POOL_REDIRECT' });
    expect(seen).toHaveLength(1);
  });
});
