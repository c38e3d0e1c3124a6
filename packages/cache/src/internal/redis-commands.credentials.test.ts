import { recordingLogger } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createCache } from '../cache';
import type { CacheStoreError } from '../errors';
import { createRedisStore } from '../redis-store';
import type { CacheStore } from '../store';
import { RedisCommands } from './redis-commands';

const PASSWORD = 's3cr3t-PASSWORD/x';

/** What a proxy in front of Redis, or a broken server, may answer: the password in the text. */
const quoting = () =>
  Promise.reject(
    Object.assign(new Error(`ERR nope ${PASSWORD} (${encodeURIComponent(PASSWORD)})`), {
      name: 'ReplyError',
      command: { name: 'get', args: ['x:v:key'] },
    }),
  );

const client = { options: { password: PASSWORD } };

describe('RedisCommands errors', () => {
  it("keep the client's own password a reply quotes out of the error and its cause", async () => {
    const commands = new RedisCommands(1000, 0, client);
    const error = (await commands
      .send('get', quoting, (reply) => reply)
      .catch((e: unknown) => e)) as CacheStoreError;
    expect(error.message).toBe('Cache store `get` failed: ERR nope [redacted] ([redacted])');
    expect((error.cause as Error).message).toBe('ERR nope [redacted] ([redacted])');
    expect((error.cause as { command?: unknown }).command).toEqual({ name: 'get' });
    expect(`${(error.cause as Error).stack}${JSON.stringify(error)}`).not.toContain('s3cr3t');
  });

  it('keep it out of the log entry and the onStoreError event of the cache', async () => {
    const commands = new RedisCommands(1000, 0, client);
    const store: CacheStore = {
      get: () => commands.send('get', quoting, () => undefined),
      set: async () => {},
      delete: async () => {},
    };
    const { logger, entries } = recordingLogger();
    const cache = createCache({ logger, store });
    const events: CacheStoreError[] = [];
    cache.onStoreError((e) => events.push(e));
    expect(await cache.lookup({ model: 'm', messages: [] })).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(entries).toHaveLength(1);
    const shown =
      JSON.stringify(entries) + events[0]!.message + (events[0]!.cause as Error).message;
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain('s3cr3t');
    await cache.close();
  });

  it('keep it out of what a Redis store made by createRedisStore reports', async () => {
    // Every command the store may send answers with the password quoted.
    const quoted = {
      ...client,
      getBuffer: quoting,
      getrangeBuffer: quoting,
      set: quoting,
      del: quoting,
      eval: quoting,
      scan: quoting,
    };
    const store = createRedisStore({ client: quoted as never, probeIntervalMs: 0 });
    const cache = createCache({ store });
    const events: CacheStoreError[] = [];
    cache.onStoreError((e) => events.push(e));
    expect(await cache.lookup({ model: 'm', messages: [] })).toBeUndefined();
    expect(events.length).toBeGreaterThan(0);
    const shown = events
      .map((e) => `${e.message} ${(e.cause as Error).message} ${JSON.stringify(e)}`)
      .join();
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain('s3cr3t');
    await cache.close();
  });
});
