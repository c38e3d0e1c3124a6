import {
  CREDENTIAL_LABELS,
  credentialRefusal,
  errorTexts,
  recordingRedisClient,
  thrownBy,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from './redis';

// A prefix starts every Redis key the store writes: a credential's shape is refused before
// anything is sent and never shown.

const recordingClient = () => recordingRedisClient(['getBuffer', 'set', 'del', 'eval', 'scan']);

describe('createRedisStore prefix holding a credential shape', () => {
  it.each(CREDENTIAL_LABELS)(
    'refuses %s before sending anything, without showing it',
    (_, prefix, secret) => {
      const { client, sent } = recordingClient();
      const error = thrownBy(() => createRedisStore({ client, prefix }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(credentialRefusal('prefix'));
      for (const text of errorTexts([error])) expect(text).not.toContain(secret);
      expect(sent).toEqual([]);
    },
  );

  it("takes a label, an id and '' (no prefix) as given", () => {
    const { client } = recordingClient();
    for (const prefix of ['tenant-1:', 'tenant:507f1f77bcf86cd799439011:', '']) {
      expect(createRedisStore({ client, prefix }).prefix).toBe(prefix);
    }
  });
});
