// A breaker shared by providers of different kinds refuses each of them for the other's failure:
// the refusal must not read as this provider's own failure, quoting an endpoint it never called.
import { createBreaker } from '@x/breaker';
import { describe, expect, it } from 'vitest';
import { lineCore, streamed } from './__fixtures__/line-core';
import { destroyAfterEach, outcome, startModelServer, to } from './__fixtures__/model-server';
import {
  CircuitOpenError,
  type CoreOptions,
  createErrorKit,
  mapHttpStatus,
  ProviderCore,
} from './index';

destroyAfterEach();

const other = { provider: 'other', label: 'Other' };
const made: ProviderCore[] = [];

/** A provider of another kind (`other`) on the same server. */
function otherCore(url: string, options: CoreOptions): ProviderCore {
  const core = new ProviderCore({
    identity: { id: 'other', label: 'Other', pkg: 'provider-other', tokens: 'openai' },
    baseUrl: url,
    options: { cache: false, tokens: false, rateLimit: false, retry: false, ...options },
    kit: createErrorKit(other),
    httpError: mapHttpStatus(other),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
  });
  made.push(core);
  return core;
}

describe('CircuitOpenError of a shared breaker', () => {
  it('names the breaker as shared and the provider whose failure it counted when another kind failed', async () => {
    const server = await startModelServer();
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 60_000 });
    const demo = lineCore(server.url, { breaker });
    const refused = otherCore(server.url, { breaker });
    try {
      const failure = await outcome(demo.complete(streamed, to('unavailable')));
      expect(failure).toMatchObject({ provider: 'demo', kind: 'server-busy' });
      const error = await outcome(refused.complete(streamed, to('m')));
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect((error as CircuitOpenError).lastFailure).toBe(failure);
      expect((error as Error).message).toMatch(
        /^Other call refused: the circuit breaker it shares is open \(breaker shared with the demo provider, last failure there: /,
      );
      expect((error as Error).message).not.toMatch(/^Other is failing/);
      // Its own refusal still reads as its own failure.
      const own = await outcome(demo.complete(streamed, to('m')));
      expect((own as Error).message).toMatch(
        /^Demo is failing: the circuit breaker is open \(last failure: /,
      );
      expect(server.received).toEqual(['unavailable']);
    } finally {
      await Promise.all(made.splice(0).map((core) => core.destroy()));
    }
  });
});

describe('CircuitOpenError of a breaker shared by providers of one kind', () => {
  // Two providers of one kind (two presets of a package, two `name`s) told apart only by their
  // kind read the same: the refused one said the failure was its own. Each is named by its `name`.
  const shares: [how: string, options: () => CoreOptions][] = [
    ['one breaker given to both', () => ({ breaker: createBreaker({ failureThreshold: 1 }) })],
    [
      'share',
      () => ({ breaker: { failureThreshold: 1, openTimeoutMs: 60_000 }, share: 'gpu-pool' }),
    ],
  ];
  for (const [how, options] of shares) {
    it(`names the other provider by its name, and its own failure as its own (${how})`, async () => {
      const server = await startModelServer();
      const shared = options();
      const first = lineCore(server.url, { ...shared, name: 'gpu-1' });
      const second = lineCore(server.url, { ...shared, name: 'gpu-2' });
      const failure = await outcome(first.complete(streamed, to('unavailable')));
      expect(failure).toMatchObject({ provider: 'demo', kind: 'server-busy' });
      const refused = await outcome(second.complete(streamed, to('m')));
      expect(refused).toBeInstanceOf(CircuitOpenError);
      expect((refused as CircuitOpenError).lastFailure).toBe(failure);
      expect((refused as Error).message).toMatch(
        /^Demo call refused: the circuit breaker it shares is open \(breaker shared with the gpu-1 provider, last failure there: Demo /,
      );
      const own = await outcome(first.complete(streamed, to('m')));
      expect((own as Error).message).toMatch(
        /^Demo is failing: the circuit breaker is open \(last failure: Demo /,
      );
      expect(server.received).toEqual(['unavailable']);
    });
  }
});
