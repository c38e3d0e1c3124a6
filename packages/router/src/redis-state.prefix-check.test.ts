import {
  CREDENTIAL_LABELS,
  credentialRefusal,
  errorTexts,
  recordingRedisClient,
  thrownBy,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createRedisRouterState } from './redis';

// The prefix starts every key and the channel the state writes: a credential's shape is refused
// before anything is sent and never shown.

const recordingClient = () => recordingRedisClient(['eval', 'duplicate']);

describe('createRedisRouterState prefix holding a credential shape', () => {
  it.each(CREDENTIAL_LABELS)(
    'refuses %s before sending anything, without showing it',
    (_, prefix, secret) => {
      const { client, sent } = recordingClient();
      const error = thrownBy(() => createRedisRouterState({ client, prefix }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(credentialRefusal('prefix'));
      for (const text of errorTexts([error])) expect(text).not.toContain(secret);
      expect(sent).toEqual([]);
    },
  );

  it("takes a label, an id and '' (no prefix) as given", () => {
    const { client } = recordingClient();
    for (const prefix of ['{routers}:', 'tenant:507f1f77bcf86cd799439011:', '']) {
      expect(() => createRedisRouterState({ client, prefix }), prefix).not.toThrow();
    }
  });
});
