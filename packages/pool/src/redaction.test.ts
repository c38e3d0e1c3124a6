import { inspect } from 'node:util';
import { startRouteServer } from '@x/internal/testing';
import { errors as undiciErrors } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer } from './__fixtures__/servers';
import { isPoolClosedError } from './errors';
import { createPool, type Pool } from './pool';

const servers: { close(): Promise<void> }[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function pool(options?: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

/** Everything an error shows: its message, stack, fields and causes. */
function shown(error: unknown): string {
  return `${inspect(error, { depth: 8 })}\n${(error as Error).stack}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('errors never show the password of a URL', () => {
  it('pool.fetch refusing a URL with credentials', async () => {
    const s = await startServer();
    servers.push(s);
    const p = pool();
    const url = `http://user:s3cret@127.0.0.1:${s.port}/`;
    for (const input of [url, new URL(url)]) {
      const error = await rejection(p.fetch(input));
      // Still fetch's own TypeError, as without the pool.
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('[redacted]@127.0.0.1');
      expect(shown(error)).not.toContain('s3cret');
    }
    expect(s.requests).toBe(0);
  });

  it('pool.fetch and pool.request with `path` refusing an invalid URL with credentials', async () => {
    const p = pool();
    const url = 'http://user:s3cret@127.0.0.1:99999/';
    const fetched = await rejection(p.fetch(url));
    expect(fetched).toBeInstanceOf(TypeError);
    expect(shown(fetched)).not.toContain('s3cret');
    const requested = await rejection(p.request(url, { path: '/x' } as never));
    expect(requested).toBeInstanceOf(TypeError);
    expect(shown(requested)).not.toContain('s3cret');
  });

  it('pool.fetch following a redirect to a Location with a password it cannot parse', async () => {
    const password = 'p4ssW0rdSecretXY';
    const s = await startRouteServer({
      '/': (_req, res) => {
        res.writeHead(302, { location: `http://bob:${password}@127.0.0.1:99999/` });
        res.end();
      },
    });
    servers.push(s);
    const error = await rejection(pool().fetch(`${s.url}/`));
    expect(error).toBeInstanceOf(TypeError);
    // A Location the parser refused shows its scheme and authority only (its path may hold a key).
    expect((error as Error).cause).toMatchObject({ input: 'http://[redacted]@127.0.0.1:99999' });
    expect(shown(error)).not.toContain(password.slice(0, 8));
    expect(JSON.stringify((error as Error).cause)).not.toContain(password.slice(0, 8));
    expect(s.requests).toHaveLength(1);
  });

  it('pool.request refusing a URL whose host cannot be told from its password', async () => {
    const resolver = vi.fn(async () => [{ address: '127.0.0.1' }]);
    const p = pool({ resolver });
    // A URL parser reads the host `ss0rd` here: a piece of the password.
    const url = 'http://bob:p@ss0rd/w0rd#Sec@h/v1';
    for (const input of [url, new URL(url)]) {
      for (const options of [undefined, { path: '/x' }]) {
        const error = await rejection(p.request(input, options as never));
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/^Expected `url` to be a URL without userinfo/);
        expect((error as Error).message).toContain('`"http://[redacted]@h/v1"` (string)');
        expect(shown(error)).not.toMatch(/ss0rd|w0rd|Sec@/);
      }
    }
    expect(resolver).not.toHaveBeenCalled();
  });

  it('the dispatcher refusing an origin with credentials after close()', async () => {
    const p = pool();
    await p.close();
    const error = await rejection(
      p.dispatcher.request({
        origin: 'http://user:s3cret@127.0.0.1:8080',
        path: '/',
        method: 'GET',
      }),
    );
    expect(isPoolClosedError(error)).toBe(true);
    expect(error).toMatchObject({ origin: 'http://127.0.0.1:8080' });
    expect(shown(error)).not.toContain('s3cret');
  });

  it('the dispatcher refusing an invalid origin with credentials', async () => {
    const p = pool();
    for (const origin of ['http://user:s3cret@127.0.0.1:99999', 'nope://user:s3cret@x']) {
      const error = await rejection(p.dispatcher.request({ origin, path: '/', method: 'GET' }));
      // undici's own class, as with undici's dispatchers.
      expect(error).toBeInstanceOf(undiciErrors.InvalidArgumentError);
      expect((error as Error).message).toMatch(/^Invalid origin: .*\[redacted\]@/);
      expect(shown(error)).not.toContain('s3cret');
    }
  });
});
