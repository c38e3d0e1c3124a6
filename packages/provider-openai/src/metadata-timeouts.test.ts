// A metadata call's deadline names the request it sent and what it asked for (from
// `@x/provider-core`), not "the whole answer", which reads as a chat's. Real clock: the server
// never answers `/models`, and a short `firstTokenMs` ends the call.
import { describe, expect, it } from 'vitest';
import type { Handler } from './__fixtures__/server';
import { setup } from './__fixtures__/setup';
import { isOpenAITimeoutError } from './errors';

/** Never answers: the request stays open until the client lets go of it. */
const hang: Handler = () => {};

describe('OpenAIProvider.listModels against a server that never answers /models (real clock)', () => {
  it('fails naming the request sent, what it asked for and the option', {
    timeout: 30_000,
  }, async () => {
    const { server, provider } = await setup(
      { 'GET /models': hang },
      { retry: false, timeouts: { firstTokenMs: 1_000 } },
    );
    const error = await provider.listModels().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).toBe(
      'Timed out after 1000 ms waiting for the server to answer GET /v1/models (the models the key may use) (timeouts.firstTokenMs)',
    );
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 1_000 });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/models']);
  });
});
