import { errorTexts } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from './redis';

/** A client that records every command: a refused prefix must send none. */
function recordingClient() {
  const sent: string[] = [];
  const command =
    (name: string) =>
    (..._args: unknown[]) => {
      sent.push(name);
      return Promise.resolve(null);
    };
  const client = {
    getBuffer: command('getBuffer'),
    set: command('set'),
    del: command('del'),
    eval: command('eval'),
    scan: command('scan'),
  };
  return { client, sent };
}

// A prefix starts every Redis key the store writes, as a cache's namespace does: it is held to
// what `namespace` is, a credential's shape refused without being shown.
describe('createRedisStore prefix holding a credential shape', () => {
  it.each([
    ['an sk- key', 'sk-proj-abcdef1234567890abcdef', 'abcdef1234567890'],
    ['a URL with a password', 'redis://u:sk-pw1234567@h', 'sk-pw1234567'],
    ['a bearer token', 'Bearer abcdefghij0123456789', 'abcdefghij0123456789'],
  ])('refuses %s before sending anything, without showing it', (_, prefix, secret) => {
    const { client, sent } = recordingClient();
    let error: unknown;
    try {
      createRedisStore({ client: client as never, prefix });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(
      'Expected `prefix` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
    );
    for (const text of errorTexts([error])) expect(text).not.toContain(secret);
    expect(sent).toEqual([]);
  });

  it("takes a label and '' (no prefix) as given", () => {
    const { client } = recordingClient();
    expect(createRedisStore({ client: client as never, prefix: 'tenant-1:' }).prefix).toBe(
      'tenant-1:',
    );
    expect(createRedisStore({ client: client as never, prefix: '' }).prefix).toBe('');
  });
});
