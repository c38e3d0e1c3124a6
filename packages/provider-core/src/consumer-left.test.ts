// A caller who stops reading a stream (a `break` out of its loop) before the answer is complete
// is neither the server's failure nor its success: the breaker ignores the call. Counted as a
// success, a half-open breaker closed on a probe whose answer nobody saw end (the server may
// break every answer after its first chunks); an abort, the same caller's doing, was ignored.

import { createBreaker } from '@x/breaker';
import { request as undiciRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { lineCore as core, streamed } from './__fixtures__/line-core';
import { destroyAfterEach, startModelServer, to } from './__fixtures__/model-server';
import type { Transport } from './index';

destroyAfterEach();

/** The custom transport: the pulled reader (`streamAttempt`), not the built-in pushed one. */
const custom = ((url, options) => undiciRequest(url, options)) as Transport;

const readers = {
  'the built-in transport': {},
  'a custom transport': { transport: custom },
} as const;

/** Reads the first chunk of `model`'s streamed answer, then leaves the loop. */
async function readFirstAndLeave(provider: ReturnType<typeof core>, model: string): Promise<void> {
  for await (const chunk of provider.stream(streamed, streamed.stream!, to(model))) {
    expect(chunk).toBeDefined();
    break;
  }
}

describe('a caller who leaves a stream early', () => {
  it.each(Object.entries(readers))(
    'is ignored by the provider’s own breaker, over %s',
    async (_, reader) => {
      const server = await startModelServer();
      const provider = core(server.url, {
        ...reader,
        breaker: { failureThreshold: 1 },
        retry: false,
      });
      await readFirstAndLeave(provider, 'progress');
      // the whole answer, read to its end, is still a success
      for await (const _ of provider.stream(streamed, streamed.stream!, to('m'))) {
        // read it all
      }
      expect(provider.breaker!.stats()).toMatchObject({ successes: 1, failures: 0, ignored: 1 });
    },
  );

  it.each(Object.entries(readers))(
    'leaves a half-open breaker half-open, over %s',
    async (_, reader) => {
      const server = await startModelServer();
      const breaker = createBreaker({ failureThreshold: 1, successThreshold: 1, openTimeoutMs: 1 });
      const provider = core(server.url, { ...reader, breaker, retry: false });
      breaker.open();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await readFirstAndLeave(provider, 'progress');
      expect(breaker.state).toBe('half-open');
      expect(breaker.stats()).toMatchObject({ successes: 0, failures: 0, ignored: 1 });
      // the slot is free again: the next probe runs, and its whole answer closes the breaker
      for await (const _ of provider.stream(streamed, streamed.stream!, to('m'))) {
        // read it all
      }
      expect(breaker.state).toBe('closed');
    },
  );

  it('is ignored by a breaker given with its own classify, which hears callerAborted', async () => {
    const server = await startModelServer();
    const heard: boolean[] = [];
    const breaker = createBreaker({
      failureThreshold: 1,
      classify: (_error, { callerAborted }) => {
        heard.push(callerAborted);
        return callerAborted ? 'ignore' : 'failure';
      },
    });
    const provider = core(server.url, { breaker, retry: false });
    await readFirstAndLeave(provider, 'progress');
    expect(heard).toEqual([true]);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 1 });
  });

  it('is ignored by the own breaker whatever the classify option says of other errors', async () => {
    const server = await startModelServer();
    const provider = core(server.url, {
      breaker: { failureThreshold: 1, classify: () => 'failure' },
      retry: false,
    });
    await readFirstAndLeave(provider, 'progress');
    expect(provider.breaker!.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 1 });
  });

  it.each(Object.entries(readers))(
    'is ignored by a breaker given with a classify that counts everything, over %s',
    async (_, reader) => {
      const server = await startModelServer();
      // A classify that counts the caller's own aborts too: told of the caller leaving as of an
      // abort, its 'failure' is not used.
      const heard: boolean[] = [];
      const breaker = createBreaker({
        failureThreshold: 1,
        classify: (_error, { callerAborted }) => {
          heard.push(callerAborted);
          return 'failure';
        },
      });
      const provider = core(server.url, { ...reader, breaker, retry: false });
      await readFirstAndLeave(provider, 'progress');
      expect(heard).toEqual([true]);
      expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 1 });
    },
  );

  it('tells a classify option of it as of an abort, whatever it answers', async () => {
    const server = await startModelServer();
    const heard: boolean[] = [];
    const provider = core(server.url, {
      breaker: {
        failureThreshold: 1,
        classify: (_error, { callerAborted }) => {
          heard.push(callerAborted);
          return 'failure';
        },
      },
      retry: false,
    });
    await readFirstAndLeave(provider, 'progress');
    expect(heard).toEqual([true]);
    expect(provider.breaker!.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 1 });
  });
});
