import { describe, expect, it } from 'vitest';
import { ask, lineCore, streamed } from '../__fixtures__/line-core';
import { dnsFailure } from './dns-failures';

/** A resolver that fails as `dns.lookup` does, for a host that resolves nowhere. */
function failingResolver(code: string) {
  return async (hostname: string) => {
    throw Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname });
  };
}

describe('a name lookup that fails', () => {
  it('is a connection error naming the host and the resolver answer, with what to check', async () => {
    const core = lineCore('http://gpu-1:11434', {
      retry: false,
      pool: { resolver: failingResolver('ENOTFOUND') },
    });
    const error = await core.complete(streamed, ask).catch((e: unknown) => e);
    await core.close();
    expect(error).toMatchObject({ name: 'ProviderConnectionError', causeCode: 'X_POOL_DNS' });
    // Before, only the pool's code: "Could not reach Demo at http://gpu-1:11434 (X_POOL_DNS)".
    expect((error as Error).message).toBe(
      'Could not reach Demo at http://gpu-1:11434 (X_POOL_DNS): the host name gpu-1 does not resolve (ENOTFOUND); check baseUrl',
    );
  });

  it('says when the DNS server did not answer (a temporary failure)', async () => {
    const core = lineCore('http://gpu-1:11434', {
      retry: false,
      pool: { resolver: failingResolver('EAI_AGAIN') },
    });
    const error = await core.complete(streamed, ask).catch((e: unknown) => e);
    await core.close();
    expect((error as Error).message).toContain(
      'the host name gpu-1 could not be resolved for now (the DNS server did not answer) (EAI_AGAIN)',
    );
  });

  it('is read from the code alone without a pool (undici resolving itself)', () => {
    expect(dnsFailure('ENOTFOUND', undefined, 'http://nope.invalid')).toBe(
      'the host name nope.invalid does not resolve (ENOTFOUND); check baseUrl',
    );
    expect(dnsFailure('ECONNREFUSED', undefined, 'http://127.0.0.1:1')).toBeUndefined();
    expect(dnsFailure('toString', undefined, 'http://x')).toBeUndefined();
  });
});
