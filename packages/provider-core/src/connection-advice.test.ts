import { BreakerOpenError } from '@x/breaker';
import { describe, expect, it } from 'vitest';
import { ProviderConnectionError } from './connection-error';
import { ProviderError } from './errors';
import { CircuitOpenError } from './refusals';

const from = { provider: 'demo', label: 'Demo' };
const advice = {
  url: 'http://127.0.0.1:8000/v1',
  remedy: 'Is Demo running? Start it',
  setting: '`baseUrl` (or DEMO_HOST)',
};
const connection = (causeCode: string, extra: object = {}) =>
  new ProviderConnectionError({ origin: 'http://127.0.0.1:8000', causeCode, from, ...extra });

describe('a connection error says what to do', () => {
  it('ends with the remedy when nothing answered, showing the URL with its path', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']) {
      expect(connection(code, advice).message).toBe(
        `Could not reach Demo at http://127.0.0.1:8000/v1 (${code}). Is Demo running? Start it`,
      );
    }
  });

  it('says what was tried before the remedy, which stays last', () => {
    expect(connection('ECONNREFUSED', { ...advice, detail: 'kept trying for 1 s' }).message).toBe(
      'Could not reach Demo at http://127.0.0.1:8000/v1 (ECONNREFUSED): kept trying for 1 s. Is Demo running? Start it',
    );
  });

  it('keeps the old wording without advice, and for TLS and DNS failures their own fix', () => {
    expect(connection('ECONNREFUSED').message).toBe(
      'Could not reach Demo at http://127.0.0.1:8000 (ECONNREFUSED)',
    );
    expect(connection('ENOTFOUND', advice).message).toMatch(/; check baseUrl$/);
    expect(connection('ENOTFOUND', advice).message).not.toContain('Start it');
  });

  it('says a connection closed without an answer reached something, maybe on the wrong port', () => {
    const error = connection('UND_ERR_SOCKET', advice);
    expect(error.message).toBe(
      'The server at http://127.0.0.1:8000/v1 closed the connection without an HTTP answer (UND_ERR_SOCKET). If this repeats, another service may be listening on that port (not an HTTP server): check `baseUrl` (or DEMO_HOST)',
    );
    expect(error).toMatchObject({
      kind: 'connection',
      causeCode: 'UND_ERR_SOCKET',
      retryable: true,
    });
  });
});

describe("an open breaker's refusal", () => {
  const open = new BreakerOpenError('open', 'demo', 'open', 'open', 5000);

  it('names the last failure, its first sentence only, keeps it as lastFailure, and ends with when to retry', () => {
    const last = connection('ECONNREFUSED', advice);
    const error = new CircuitOpenError({
      retryAfterMs: 5000,
      cause: open,
      origin: from,
      lastFailure: last,
    });
    expect(error.message).toBe(
      'Demo is failing: the circuit breaker is open (last failure: Could not reach Demo at http://127.0.0.1:8000/v1 (ECONNREFUSED)). Retry after 5000 ms',
    );
    expect(error.lastFailure).toBe(last);
    expect(error.cause).toBe(open);
  });

  it('cuts a long last failure to 200 characters', () => {
    const last = new ProviderError(`Demo answered 500: ${'x'.repeat(1000)}`, {
      origin: from,
      kind: 'api',
      reason: 'API',
      retryable: true,
    });
    const error = new CircuitOpenError({
      retryAfterMs: undefined,
      cause: open,
      origin: from,
      lastFailure: last,
    });
    const quoted = error.message.slice(
      error.message.indexOf('last failure: ') + 14,
      error.message.lastIndexOf(').'),
    );
    expect(quoted).toHaveLength(200);
    expect(quoted.endsWith('…')).toBe(true);
  });

  it('ends with the remedy alone when no failure is known, whatever the breaker said of the wait', () => {
    const refusal = (retryAfterMs: number | undefined) =>
      new CircuitOpenError({ retryAfterMs, cause: open, origin: from });
    expect(refusal(Infinity).message).toBe(
      'Demo is failing: the circuit breaker is open. It was isolated by hand: call the release function isolate() returned to resume',
    );
    expect(refusal(0).message).toBe(
      'Demo is failing: the circuit breaker is open. Retry once the probe in flight settles',
    );
    expect(refusal(1234.2).message).toBe(
      'Demo is failing: the circuit breaker is open. Retry after 1235 ms',
    );
    expect(refusal(undefined).message).toBe(
      'Demo is failing: the circuit breaker is open. Retry later',
    );
    // A breaker of another copy may say NaN: no number is better than a wrong one.
    expect(refusal(Number.NaN).message).toBe(
      'Demo is failing: the circuit breaker is open. Retry later',
    );
    expect(refusal(Infinity).lastFailure).toBeUndefined();
  });
});
