import { expect, it } from 'vitest';
import { until, within } from './until';

/** What a provider's key-wait tests need of it: its calls, its server, its error guards. */
export interface KeyWaitSubject<Provider> {
  /** The key every call that gets one sends (a key of the provider's own shape). */
  key: string;
  /** A key that comes after its call ended: it must never be sent. */
  lateKey: string;
  /**
   * Starts the provider's test server, answering a chat with `content`, and a provider on it with
   * the key callback and options given (no cache, no token counting, no fixed key).
   */
  start(
    getApiKey: () => string | Promise<string>,
    options: {
      retry?: false | undefined;
      maxConcurrent?: number | undefined;
      timeouts?: { firstTokenMs: number } | undefined;
    },
  ): Promise<{
    provider: Provider & { close(): Promise<void> };
    /** Every request the server received. */
    requests(): readonly unknown[];
    /** The `authorization` header of each chat request the server received. */
    chatKeys(): ReadonlyArray<string | undefined>;
  }>;
  /** A call of each kind that reaches the key callback: complete, stream (read whole), metadata. */
  calls(provider: Provider): Array<Promise<unknown>>;
  /** One chat completion. */
  complete(provider: Provider): Promise<unknown>;
  /** The answer's text, as `complete` resolves it. */
  content: string;
  isTimeoutError(error: unknown): boolean;
  ClosedError: abstract new (...args: never[]) => Error;
}

/** A key callback whose calls wait for the test, each held in `waiting`. */
function heldKeys() {
  const waiting: Array<(key: string) => void> = [];
  return {
    waiting,
    getApiKey: () => new Promise<string>((resolve) => waiting.push(resolve)),
  };
}

const outcome = (promise: Promise<unknown>) => promise.catch((error: unknown) => error);

/**
 * Registers, in the calling `describe`, the tests of a `getApiKey()` that does not settle, over a
 * provider's own wire: `close()` ends the calls waiting on it (and the key that comes later is
 * never sent); `timeouts.firstTokenMs` ends one without `totalMs`, and its concurrency slot goes
 * to the next call. Real sockets and the real clock: a test that passes is one where close() or
 * the first-token deadline ended the wait (before, close() resolved with the call still waiting,
 * and only totalMs ended it).
 */
export function itEndsGetApiKeyWaits<Provider>(subject: KeyWaitSubject<Provider>): void {
  it('ends the calls waiting on it with ProviderClosedError at close(), and never sends the key that comes later', async () => {
    const keys = heldKeys();
    const { provider, requests } = await subject.start(keys.getApiKey, {});
    // Caught at once: they reject while close() is awaited.
    const calls = subject.calls(provider).map(outcome);
    await until(() => keys.waiting.length === calls.length);
    await provider.close();
    // Before, they were still waiting long after close() resolved (the bound is only generous).
    for (const call of calls) {
      expect(await within(call, 3_000)).toBeInstanceOf(subject.ClosedError);
    }
    for (const resolve of keys.waiting) resolve(subject.key);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests()).toEqual([]);
  });

  it('ends a call at timeouts.firstTokenMs without totalMs, and its concurrency slot goes to the next call', async () => {
    const keys = heldKeys();
    let asked = 0;
    const { provider, chatKeys } = await subject.start(
      () => (++asked === 1 ? keys.getApiKey() : subject.key),
      {
        retry: false,
        maxConcurrent: 1,
        timeouts: { firstTokenMs: 2000 }, // the next call's answer too: room for a loaded runner
      },
    );
    const hung = outcome(subject.complete(provider));
    await until(() => keys.waiting.length === 1);
    const next = subject.complete(provider);
    const error = await hung;
    expect(subject.isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      timeout: 'firstToken',
      message:
        'Timed out after 2000 ms waiting for getApiKey() to return a key, before anything was sent (timeouts.firstTokenMs)',
    });
    await expect(next).resolves.toMatchObject({ content: subject.content });
    keys.waiting[0]!(subject.lateKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chatKeys()).toEqual([`Bearer ${subject.key}`]);
  });
}
