// Real sockets and the real clock: a getApiKey() that never settles holds its call until
// something ends the wait, so a test that passes is one where close() or the first-token deadline
// did (before, close() resolved with the call still waiting, and only totalMs ended it).
import { until, within } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ask, chatChunk, chats, collect, doneChunk, fixtureSetup } from './__fixtures__/server';
import { isOllamaTimeoutError, ProviderClosedError } from './index';

const { setup } = fixtureSetup();
const KEY = 'ollama-late-key-0123456789abcdef';

const answered = {
  '/api/chat': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(chatChunk('Hi') + doneChunk());
  },
};

/** A key callback whose calls wait for the test, each held in `waiting`. */
function heldKeys() {
  const waiting: Array<(key: string) => void> = [];
  return {
    waiting,
    getApiKey: () => new Promise<string>((resolve) => waiting.push(resolve)),
  };
}

const outcome = (promise: Promise<unknown>) => promise.catch((error: unknown) => error);

describe('getApiKey() that does not settle', () => {
  it('ends the calls waiting on it with ProviderClosedError at close(), and never sends the key that comes later', async () => {
    const keys = heldKeys();
    const { server, provider } = await setup(answered, {
      getApiKey: keys.getApiKey,
      cache: false,
      tokens: false,
    });
    // Caught at once: they reject while close() is awaited.
    const calls = [
      provider.complete(ask()),
      collect(provider.stream(ask())),
      provider.version(),
    ].map(outcome);
    await until(() => keys.waiting.length === calls.length);
    await provider.close();
    // Before, they were still waiting long after close() resolved (the bound is only generous).
    for (const call of calls) {
      expect(await within(call, 3_000)).toBeInstanceOf(ProviderClosedError);
    }
    for (const resolve of keys.waiting) resolve(KEY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toEqual([]);
  });

  it('ends a call at timeouts.firstTokenMs without totalMs, and its concurrency slot goes to the next call', async () => {
    const keys = heldKeys();
    let asked = 0;
    const { server, provider } = await setup(answered, {
      getApiKey: () => (++asked === 1 ? keys.getApiKey() : KEY),
      cache: false,
      tokens: false,
      retry: false,
      maxConcurrent: 1,
      timeouts: { firstTokenMs: 2000 }, // the next call's answer too: room for a loaded runner
    });
    const hung = outcome(provider.complete(ask()));
    await until(() => keys.waiting.length === 1);
    const next = provider.complete(ask());
    const error = await hung;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      timeout: 'firstToken',
      message:
        'Timed out after 2000 ms waiting for getApiKey() to return a key, before anything was sent (timeouts.firstTokenMs)',
    });
    await expect(next).resolves.toMatchObject({ content: 'Hi' });
    keys.waiting[0]!('ollama-too-late-0123456789abcdef');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chats(server).map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`]);
  });
});
