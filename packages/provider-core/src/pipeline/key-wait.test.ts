// Real sockets and the real clock: a getApiKey() that never settles holds its call until
// something ends the wait, so a test that passes is one where close(), the first-token deadline or
// the call's end did.
import { until, within } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { lineCore as core, streamed } from '../__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from '../__fixtures__/model-server';
import { Credentials } from '../credentials';
import { createErrorKit } from '../error-kit';
import {
  isProviderErrorOfKind,
  ProviderClosedError,
  type ProviderCore,
  ProviderTimeoutError,
} from '../index';
import { Redactor } from '../secrets';

destroyAfterEach();

const KEY = 'sk-late-key-0123456789abcdef';

/** A key callback whose every call waits for `settle`: the test decides when, and how. */
function heldKeys() {
  const waiting: Array<{ resolve: (key: string) => void; reject: (error: Error) => void }> = [];
  return {
    waiting,
    getApiKey: () =>
      new Promise<string>((resolve, reject) => {
        waiting.push({ resolve, reject });
      }),
  };
}

/** Every way a call reaches the key callback: buffered, streamed, outside the answer path, a probe. */
function everyCall(provider: ProviderCore): Array<Promise<unknown>> {
  const streamEnd = (async () => {
    for await (const _ of provider.stream(streamed, streamed.stream!, to('m'))) {
      // read to the end
    }
  })();
  return [
    provider.complete(streamed, to('m')),
    streamEnd,
    provider.request({ endpoint: '/reply', method: 'POST', payload: to('m') }),
    provider.probe('/reply', 'GET', undefined),
  ].map(outcome);
}

describe('a call waiting for getApiKey()', () => {
  it('ends with the closed error when close() comes, and never sends the key that arrives later', async () => {
    const server = await startServer();
    const keys = heldKeys();
    const provider = core(server.url, { getApiKey: keys.getApiKey });
    const calls = everyCall(provider);
    await until(() => keys.waiting.length === calls.length);
    await provider.close();
    // Before, they were still waiting long after close() resolved (the bound is only generous).
    for (const call of calls) {
      expect(await within(call, 3_000)).toBeInstanceOf(ProviderClosedError);
    }
    // The keys come, or the vault fails, after the calls ended: dropped, never sent, and a late
    // rejection is no unhandled one (vitest fails the run on those).
    keys.waiting[0]!.resolve(KEY);
    keys.waiting[1]!.reject(new Error(`vault down, token ${KEY}`));
    keys.waiting[2]!.resolve(KEY);
    keys.waiting[3]!.reject(new Error('vault down'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual([]);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('ends at timeouts.firstTokenMs, counted from the callback, naming the wait and the option, and gives back its concurrency slot', async () => {
    const server = await startServer();
    const keys = heldKeys();
    let asked = 0;
    const provider = core(server.url, {
      // No totalMs (off by default): before, nothing but the caller's signal ended the wait.
      timeouts: { firstTokenMs: 2000 }, // the next call's answer too: room for a loaded runner
      maxConcurrent: 1,
      // The first call's key never comes; the next one's comes at once.
      getApiKey: () => (++asked === 1 ? keys.getApiKey() : KEY),
    });
    const hung = outcome(provider.complete(streamed, to('m')));
    await until(() => keys.waiting.length === 1);
    // Queued behind the hung call for its slot, then answered once that call let it go.
    const next = provider.complete(streamed, to('m'));
    const error = await hung;
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({
      timeout: 'firstToken',
      timeoutMs: 2000,
      retryable: true,
      message:
        'Timed out after 2000 ms waiting for getApiKey() to return a key, before anything was sent (timeouts.firstTokenMs)',
    });
    await expect(next).resolves.toMatchObject({ content: 'hi' });
    // The key that comes after its call timed out is never sent.
    keys.waiting[0]!.resolve('sk-too-late-0123456789abcdef');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual(['m']);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('ends each kind of call at timeouts.firstTokenMs', async () => {
    const server = await startServer();
    const keys = heldKeys();
    const provider = core(server.url, {
      timeouts: { firstTokenMs: 200 },
      getApiKey: keys.getApiKey,
    });
    for (const call of everyCall(provider)) {
      const error = await call;
      expect(isProviderErrorOfKind(error, 'timeout')).toBe(true);
      expect((error as Error).message).toContain('waiting for getApiKey()');
    }
    expect(server.received).toEqual([]);
  });

  it('is not asked for a key once its call has ended', async () => {
    let asked = 0;
    const credentials = new Credentials({
      kit: createErrorKit({ provider: 'demo', label: 'Demo' }),
      headers: {},
      apiKey: undefined,
      getApiKey: () => {
        asked++;
        return KEY;
      },
      auth: (key) => ({ authorization: `Bearer ${key}` }),
      redactor: new Redactor(),
    });
    const reason = new Error('closed while queued');
    await expect(credentials.fresh('application/json', AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(asked).toBe(0);
  });
});
