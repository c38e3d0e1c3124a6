import { inspect } from 'node:util';
import { errors as undiciErrors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type CountingServer, startServer } from './__fixtures__/servers';
import { isPoolClosedError } from './errors';
import { createPool, type Pool } from './pool';

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function pool(): Pool {
  const p = createPool();
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
