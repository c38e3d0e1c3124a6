import { describe, expect, it } from 'vitest';
import { ProviderApiError } from '../api-error';
import { createErrorKit } from '../error-kit';
import { classifyForBreaker } from './classify';

const origin = { provider: 'demo', label: 'Demo' };
const kit = createErrorKit(origin);
const api = (statusCode: number, retryable: boolean) =>
  new ProviderApiError({ origin, statusCode, serverMessage: '', endpoint: '/x', retryable });
const closed = { callerAborted: false };

describe('classifyForBreaker', () => {
  it("counts only the server's trouble", () => {
    expect(classifyForBreaker(api(503, true), closed)).toBe('failure');
    expect(classifyForBreaker(api(429, true), closed)).toBe('failure');
    expect(classifyForBreaker(api(500, true), closed)).toBe('failure');
    expect(classifyForBreaker(kit.connection({ origin: 'http://x' }), closed)).toBe('failure');
    const garbage = kit.protocol({ origin: 'http://x', causeCode: 'HPE_INVALID_CONSTANT' });
    expect(classifyForBreaker(garbage, closed)).toBe('failure');
    expect(
      classifyForBreaker(kit.timeout({ timeout: 'idle', timeoutMs: 1, retryable: false }), closed),
    ).toBe('failure');
  });

  it("ignores the caller's mistakes, local saturation and the caller's aborts", () => {
    expect(classifyForBreaker(api(400, false), closed)).toBe('ignore');
    expect(classifyForBreaker(api(500, false), closed)).toBe('ignore');
    expect(
      classifyForBreaker(kit.contextOverflow({ model: 'm', source: 'estimate' }), closed),
    ).toBe('ignore');
    expect(classifyForBreaker({ code: 'X_RATE_LIMIT_TIMEOUT' }, closed)).toBe('ignore');
    expect(classifyForBreaker({ code: 'X_POOL_TIMEOUT' }, closed)).toBe('ignore');
    // refused before anything was sent: a local limit, a key callback, a header undici refused
    const limit = kit.localLimit({ message: 'full', retryAfterMs: undefined, cause: undefined });
    expect(classifyForBreaker(limit, closed)).toBe('ignore');
    const key = kit.credentials({ message: 'getApiKey() failed (Error)', cause: undefined });
    expect(classifyForBreaker(key, closed)).toBe('ignore');
    expect(classifyForBreaker({ code: 'UND_ERR_INVALID_ARG' }, closed)).toBe('ignore');
    expect(classifyForBreaker({ code: 'UND_ERR_SOCKET' }, closed)).toBe('failure');
    expect(classifyForBreaker(api(503, true), { callerAborted: true })).toBe('ignore');
  });

  it('ignores a 501 Not Implemented: the server does not do that, and is not unwell', () => {
    expect(classifyForBreaker(api(501, false), closed)).toBe('ignore');
    expect(classifyForBreaker(api(501, true), closed)).toBe('ignore');
  });
});
