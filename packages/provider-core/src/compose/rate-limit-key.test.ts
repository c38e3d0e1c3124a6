import { CREDENTIAL_LABELS, credentialRefusal, errorTexts, thrownBy } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cores, lineCore } from '../__fixtures__/line-core';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

const REFUSED = 'http://127.0.0.1:9';

const refusal = (key: unknown): Error =>
  thrownBy(() =>
    lineCore(REFUSED, { apiKey: 'sk-x', rateLimit: { requestsPerSecond: 1, key } as never }),
  );

// The key goes into the limiter's Redis keys and events: it is held to what `breaker.name` and
// `cache.namespace` are, a credential's shape refused without being shown.
describe('rateLimit.key holding a credential shape', () => {
  it.each(CREDENTIAL_LABELS)('refuses %s without showing it', (_, key, secret) => {
    const error = refusal(key);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(credentialRefusal('rateLimit.key'));
    for (const text of errorTexts([error])) expect(text).not.toContain(secret);
  });

  it('still refuses an empty key (RangeError) and another type (TypeError)', () => {
    expect(refusal('')).toBeInstanceOf(RangeError);
    expect(refusal('').message).toContain('`rateLimit.key`');
    expect(refusal(5)).toBeInstanceOf(TypeError);
  });

  it('takes a label as given, ids included', () => {
    for (const key of ['gpu-1 quota', 'tenant:507f1f77bcf86cd799439011']) {
      const core = lineCore(REFUSED, { rateLimit: { requestsPerSecond: 1, key } });
      expect(core.name).toBe('demo');
    }
  });
});
