import { errorTexts } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createRedisRouterState } from './redis';

// The prefix starts every key and the channel the state writes: like a cache's namespace, a label,
// a credential's shape refused before anything is sent and never shown.

/** A client that records every command (and every connection it is asked for). */
function recordingClient() {
  const sent: string[] = [];
  const command =
    (name: string) =>
    (..._args: unknown[]) => {
      sent.push(name);
      return Promise.resolve(null);
    };
  const client = { eval: command('eval'), duplicate: command('duplicate') };
  return { client: client as never, sent };
}

function thrown(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('accepted');
}

describe('createRedisRouterState prefix holding a credential shape', () => {
  it.each([
    ['an sk- key', 'sk-proj-abcdef1234567890abcdef', 'abcdef1234567890'],
    ['a URL with a password', 'redis://u:sk-pw1234567@h', 'sk-pw1234567'],
    ['a bearer token', 'Bearer abcdefghij0123456789', 'abcdefghij0123456789'],
  ])('refuses %s before sending anything, without showing it', (_, prefix, secret) => {
    const { client, sent } = recordingClient();
    const error = thrown(() => createRedisRouterState({ client, prefix }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      'Expected `prefix` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
    );
    for (const text of errorTexts([error])) expect(text).not.toContain(secret);
    expect(sent).toEqual([]);
  });

  it("takes a label and '' (no prefix) as given", () => {
    const { client } = recordingClient();
    expect(() => createRedisRouterState({ client, prefix: '{routers}:' })).not.toThrow();
    expect(() => createRedisRouterState({ client, prefix: '' })).not.toThrow();
  });
});
