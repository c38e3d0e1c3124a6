// Real clock throughout: these tests talk to a real redis-server (and child processes), whose
// expiries and lock TTLs run on its own time.
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { isCacheClosedError, isCacheStoreError } from './errors';
import { createRedisStore } from './redis-store';

const url = inject('redisUrl');
const connect = redisClients(url);
afterEach(() => {
  vi.useRealTimers();
});

const big = { message: { role: 'assistant', content: 'Rayleigh scattering. '.repeat(200) } };

describe('createRedisStore', () => {
  it('shares entries between two caches when they use the same Redis', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = createCache({
      namespace: 'app',
      store: createRedisStore({ client: connect(), prefix }),
    });
    const b = createCache({
      namespace: 'app',
      store: createRedisStore({ client: connect(), prefix }),
    });
    await a.getOrLoad(req(1), async () => big);
    await a.flush();
    const loader = vi.fn(async () => ({ other: true }));
    expect(await b.getOrLoad(req(1), loader)).toEqual(big);
    expect(loader).not.toHaveBeenCalled();
    expect(b.stats().store).toMatchObject({ hits: 1, errors: 0 });
  });

  it('stores compressed values at <prefix>v:<namespace>:<digest> with a Redis TTL', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const cache = createCache({
      namespace: 'ns',
      strategy: 'aggressive',
      minTtlMs: 5000,
      maxTtlMs: 5000,
      store: createRedisStore({ client, prefix }),
    });
    cache.set(req(1), big);
    await cache.flush();
    const redisKey = `${prefix}v:${cache.key(req(1))}`;
    expect(redisKey.startsWith(`${prefix}v:ns:`)).toBe(true);
    const raw = await client.getBuffer(redisKey);
    expect(raw![0]).toBe(4); // deflated, with the key's digest
    expect(raw!.length).toBeLessThan(JSON.stringify(big).length * 0.4);
    const ttl = await client.pttl(redisKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('calls the loader once when two caches miss the same key together', async () => {
    const prefix = `t:${randomUUID()}:`;
    const make = () =>
      createCache({ store: createRedisStore({ client: connect(), prefix, pollIntervalMs: 10 }) });
    const a = make();
    const b = make();
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 150));
      return { n: calls };
    };
    const [x, y] = await Promise.all([a.getOrLoad(req(1), loader), b.getOrLoad(req(1), loader)]);
    expect(calls).toBe(1);
    expect(x).toEqual({ n: 1 });
    expect(y).toEqual({ n: 1 });
    expect((a.stats().store?.lockWaits ?? 0) + (b.stats().store?.lockWaits ?? 0)).toBe(1);
  });

  it('keeps the lock while a loader runs longer than lockTtlMs', async () => {
    const prefix = `t:${randomUUID()}:`;
    const make = () =>
      createCache({
        store: createRedisStore({ client: connect(), prefix, lockTtlMs: 150, pollIntervalMs: 10 }),
      });
    const a = make();
    const b = make();
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 600));
      return 'slow answer';
    };
    const first = a.getOrLoad(req(1), loader);
    await new Promise((r) => setTimeout(r, 50));
    const second = b.getOrLoad(req(1), loader);
    expect(await Promise.all([first, second])).toEqual(['slow answer', 'slow answer']);
    expect(calls).toBe(1);
  });

  it('takes over the load when the lock holder died without storing a value', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const cache = createCache({
      store: createRedisStore({ client, prefix, lockTtlMs: 1000, pollIntervalMs: 10 }),
    });
    // A dead holder: its lock is there, its value never comes, its lock expires.
    await client.set(`${prefix}lock:${cache.key(req(1))}`, 'dead', 'PX', 200);
    const loader = vi.fn(async () => 'recovered');
    expect(await cache.getOrLoad(req(1), loader)).toBe('recovered');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('loads without the lock when the wait for another process is over lockWaitMs', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const cache = createCache({
      store: createRedisStore({ client, prefix, lockWaitMs: 100, pollIntervalMs: 10 }),
    });
    await client.set(`${prefix}lock:${cache.key(req(1))}`, 'slow', 'PX', 60_000);
    expect(await cache.getOrLoad(req(1), async () => 'own')).toBe('own');
  });

  it('aborts a waiting caller with its reason when it gives up', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const cache = createCache({ store: createRedisStore({ client, prefix, pollIntervalMs: 10 }) });
    await client.set(`${prefix}lock:${cache.key(req(1))}`, 'slow', 'PX', 60_000);
    const controller = new AbortController();
    const loader = vi.fn(async () => 'x');
    const pending = cache.getOrLoad(req(1), loader, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(loader).not.toHaveBeenCalled();
  });

  it('removes only its own keys when cleared', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const store = createRedisStore({ client, prefix });
    const cache = createCache({ store });
    for (let i = 0; i < 5; i++) cache.set(req(i), i);
    await cache.flush();
    await client.set('other:key', '1');
    await store.clear();
    expect(await client.keys(`${prefix}*`)).toEqual([]);
    expect(await client.get('other:key')).toBe('1');
  });

  it('throws TypeError when the client lacks a command or an option is wrong', () => {
    expect(() => createRedisStore({ client: {} as never })).toThrow(
      'Expected `client` to be a Redis client with a `getBuffer` method',
    );
    expect(() => createRedisStore({ client: connect(), lockTtlMs: 0 })).toThrow(RangeError);
  });

  it('never shows a client given as a string when it is refused (it may hold a password)', () => {
    const url = 'redis://:hunter2@127.0.0.1:6379';
    expect(() => createRedisStore({ client: url as never })).toThrow(
      'Expected `client` to be a Redis client with a `getBuffer` method (ioredis 5 or 6), got `"[redacted]"` (string)',
    );
    expect(() => createRedisStore(url as never)).toThrow(
      'Expected `options` to be an object with a `client`, got `"[redacted]"` (string)',
    );
  });

  it('throws TypeError naming the closest known key when an option is unknown', () => {
    expect(() => createRedisStore({ client: connect(), lockTTL: 5 } as never)).toThrow(
      new TypeError('Unknown option `lockTTL`: did you mean `lockTtlMs`?'),
    );
    expect(() => createRedisStore({ client: connect(), timeout: 5 } as never)).toThrow(TypeError);
  });

  it.each(['commandTimeoutMs', 'lockTtlMs', 'lockWaitMs', 'pollIntervalMs'])(
    'throws RangeError naming %s when it is above 2^31-1 ms (Node fires such a timer at once)',
    (name) => {
      expect(() => createRedisStore({ client: connect(), [name]: 2 ** 31 })).toThrow(
        new RangeError(
          // commandTimeoutMs only arms a timer, which takes fractional ms; the others go to Redis
          `Expected \`${name}\` to be ${name === 'commandTimeoutMs' ? 'a finite number' : 'an integer'} between 1 and 2147483647, got \`2147483648\` (number)`,
        ),
      );
    },
  );

  it('releases its lock and refuses commands when closed while a loader runs', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const store = createRedisStore({ client, prefix });
    const cache = createCache({ store });
    const errors: unknown[] = [];
    cache.onStoreError((error) => errors.push(error));
    const lockKey = `${prefix}lock:${cache.key(req(1))}`;
    let finish!: (value: string) => void;
    const loading = cache.getOrLoad(req(1), () => new Promise<string>((r) => (finish = r)));
    await vi.waitFor(async () => expect(await client.exists(lockKey)).toBe(1));
    // The lock is in Redis before lock() returns (it reads the value once more): close only once
    // the loader runs, or a slow machine closes the store inside lock() and reports that too.
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
    await store.close();
    expect(await client.exists(lockKey)).toBe(0);
    finish('v');
    expect(await loading).toBe('v');
    await cache.flush();
    // The write after close was refused, and reported, never thrown.
    expect(errors).toHaveLength(1);
    expect((errors[0] as { operation: string }).operation).toBe('set');
    expect(isCacheClosedError((errors[0] as Error).cause)).toBe(true);
    await expect(store.get('k')).rejects.toSatisfy(isCacheClosedError);
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('ends the wait for another process and loads alone when closed', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    const store = createRedisStore({ client, prefix, pollIntervalMs: 10 });
    const cache = createCache({ store });
    const errors: Error[] = [];
    cache.onStoreError((error) => errors.push(error));
    await client.set(`${prefix}lock:${cache.key(req(1))}`, 'other', 'PX', 60_000);
    const loader = vi.fn(async () => 'own');
    const pending = cache.getOrLoad(req(1), loader);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loader).not.toHaveBeenCalled();
    await store.close();
    expect(await pending).toBe('own');
    await cache.flush();
    // The wait ended, and the write-through was refused: both reported, neither thrown.
    expect(errors.map((error) => (error as { operation?: string }).operation)).toEqual([
      'lock',
      'set',
    ]);
    expect(errors.every((error) => isCacheClosedError(error.cause))).toBe(true);
  });

  it('writes everything through and closes both when declared with await using', async () => {
    const prefix = `t:${randomUUID()}:`;
    const client = connect();
    let key = '';
    {
      await using store = createRedisStore({ client, prefix });
      await using cache = createCache({ store });
      key = cache.key(req(1));
      cache.set(req(1), big);
    }
    expect(await client.exists(`${prefix}v:${key}`)).toBe(1);
    expect(client.status).toBe('ready');
  });
});

describe('createRedisStore when Redis fails', () => {
  it('serves from memory and the loader, and counts failures, when Redis is down', async () => {
    const server = await startRedisServer();
    try {
      const client = connect({}, server.url);
      const cache = createCache({
        store: createRedisStore({
          client,
          prefix: 'outage:',
          commandTimeoutMs: 200,
          probeIntervalMs: 300,
        }),
      });
      expect(await cache.getOrLoad(req(1), async () => 'one')).toBe('one');
      await cache.flush();
      await server.stop();
      const errors: unknown[] = [];
      cache.onStoreError((e) => errors.push(e));
      expect(await cache.getOrLoad(req(1), async () => 'never')).toBe('one');
      expect(await cache.getOrLoad(req(2), async () => 'two')).toBe('two');
      await cache.flush();
      expect(cache.stats().store!.errors).toBeGreaterThanOrEqual(2);
      expect(errors.every(isCacheStoreError)).toBe(true);

      await server.restart();
      await new Promise<void>((resolve) => {
        if (client.status === 'ready') resolve();
        else client.once('ready', () => resolve());
      });
      // Once probeIntervalMs has passed since the last failure, commands are sent again.
      await vi.waitFor(async () => {
        const before = cache.stats().store!.writes;
        cache.set(req(3), 'three');
        await cache.flush();
        expect(cache.stats().store!.writes).toBe(before + 1);
      }, 5_000);
    } finally {
      await server.stop();
    }
  });
});

describe('createRedisStore during an outage', () => {
  /** A client whose commands never answer (a Redis gone while ioredis queues and reconnects). */
  function silentClient(reply?: () => Promise<unknown>) {
    const sent: string[] = [];
    const command =
      (name: string) =>
      (..._args: unknown[]): Promise<never> => {
        sent.push(name);
        return (reply?.() ?? new Promise(() => {})) as Promise<never>;
      };
    const client = {
      getBuffer: command('get'),
      set: command('set'),
      del: command('del'),
      eval: command('eval'),
      scan: command('scan'),
    };
    return { client, sent };
  }

  it('sends nothing for probeIntervalMs after a timeout, so a miss pays at most one timeout', async () => {
    vi.useFakeTimers();
    try {
      const { client, sent } = silentClient();
      const cache = createCache({
        store: createRedisStore({ client, commandTimeoutMs: 200, probeIntervalMs: 1_000 }),
      });
      const first = cache.getOrLoad(req(1), async () => 'one');
      await vi.advanceTimersByTimeAsync(200);
      expect(await first).toBe('one');
      // the get timed out; the lock (and the write) were not sent
      expect(sent).toEqual(['get']);
      expect(await cache.getOrLoad(req(2), async () => 'two')).toBe('two');
      expect(sent).toEqual(['get']);
      await vi.advanceTimersByTimeAsync(1_000);
      const third = cache.getOrLoad(req(3), async () => 'three');
      await vi.advanceTimersByTimeAsync(200);
      expect(await third).toBe('three');
      expect(sent).toEqual(['get', 'get']);
      expect(cache.stats().store!.errors).toBeGreaterThanOrEqual(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps sending after an error Redis answered (the connection works), and with probeIntervalMs 0', async () => {
    const wrongType = () =>
      Promise.reject(Object.assign(new Error('WRONGTYPE Operation'), { name: 'ReplyError' }));
    const answered = silentClient(wrongType);
    const cache = createCache({ store: createRedisStore({ client: answered.client }) });
    expect(await cache.getOrLoad(req(1), async () => 'one')).toBe('one');
    expect(await cache.getOrLoad(req(2), async () => 'two')).toBe('two');
    expect(answered.sent.filter((c) => c === 'get')).toHaveLength(2);

    vi.useFakeTimers();
    try {
      const silent = silentClient();
      const eager = createCache({
        store: createRedisStore({
          client: silent.client,
          commandTimeoutMs: 50,
          probeIntervalMs: 0,
        }),
      });
      const one = eager.getOrLoad(req(1), async () => 'one');
      await vi.advanceTimersByTimeAsync(100);
      await one;
      expect(silent.sent.slice(0, 2)).toEqual(['get', 'eval']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createRedisStore across processes', () => {
  it('calls the loader once when two processes miss the same key', async () => {
    const prefix = `t:${randomUUID()}:`;
    const counterKey = `${prefix}loader-calls`;
    const script = fileURLToPath(new URL('./__fixtures__/load-once-child.ts', import.meta.url));
    const children: ChildProcess[] = [];
    const kill = setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
    }, 20_000);
    try {
      const results = await new Promise<unknown[]>((resolve, reject) => {
        const got: unknown[] = [];
        let ready = 0;
        for (let i = 0; i < 2; i++) {
          const child = fork(script, [url, prefix, counterKey], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          children.push(child);
          child.on('error', reject);
          child.on('exit', (code) => {
            if (code !== 0) reject(new Error(`child exited with ${code}`));
          });
          child.on('message', (message) => {
            if (message === 'ready') {
              if (++ready === 2) for (const c of children) c.send('go');
            } else {
              got.push(message);
              if (got.length === 2) resolve(got);
            }
          });
        }
      });
      const calls = await connect().get(counterKey);
      expect(calls).toBe('1');
      const values = results.map((r) => (r as { value: unknown }).value);
      expect(values[0]).toEqual(values[1]);
      expect(values[0]).toMatchObject({ answer: 42 });
    } finally {
      clearTimeout(kill);
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });
});
