// A caller who gives up on a stream while a read is pending (`return()` on the iterator while
// `next()` waits for a chunk: manual iterator use, a framework's cancel, a router's destroy())
// ends the call at once: the socket is freed, the call counts as cancelled, the breaker ignores it.
// An async generator would queue that `return()` behind the pending read, until the first-token
// deadline (20 s here): a test that passes is one where the call ended long before. The bounds
// (5 s) leave a loaded CI machine room, still well below the deadline a bug would wait for.

import { Readable } from 'node:stream';
import { within } from '@x/internal/testing';
import { request as undiciRequest } from 'undici';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from '../__fixtures__/line-core';
import { destroyAfterEach, startModelServer, to } from '../__fixtures__/model-server';
import type { Transport } from '../index';

destroyAfterEach();

/** The custom transport: the pulled reader, not the built-in pushed one. */
const custom = ((url, options) => undiciRequest(url, options)) as Transport;

const readers = {
  'the built-in transport': {},
  'a custom transport': { transport: custom },
} as const;

const options = { breaker: { failureThreshold: 1 }, timeouts: { firstTokenMs: 20_000 } };

describe('return() while a read is pending', () => {
  describe.each(Object.entries(readers))('over %s', (_, reader) => {
    it.each([
      ['a server that sent its headers and no chunk', 'quiet', 0],
      ['a server that has not answered yet', 'never', 0],
      ['a server that went quiet after a chunk', 'one', 1],
    ])('ends the call at once, for %s', { timeout: 10_000 }, async (_what, model, read) => {
      const server = await startModelServer();
      const provider = core(server.url, { ...reader, ...options });
      const iterator = provider.stream(streamed, streamed.stream!, to(model));
      for (let i = 0; i < read; i++) {
        await expect(iterator.next()).resolves.toMatchObject({ done: false });
      }
      const next = iterator.next();
      await vi.waitFor(() => expect(server.received).toEqual([model]), { timeout: 5_000 });
      expect(server.closed()).toBe(0);
      const ended = iterator.return(undefined);
      // The pending read ends as a cancelled reader's does: done, nothing more.
      expect(await within(next, 5_000)).toEqual({ done: true, value: undefined });
      expect(await within(ended, 5_000)).toEqual({ done: true, value: undefined });
      await vi.waitFor(() => expect(server.closed()).toBeGreaterThan(0), { timeout: 5_000 });
      expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
      expect(provider.breaker!.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 1 });
      // Nothing is left for close() to wait for.
      expect(await within(provider.close(), 5_000)).toBeUndefined();
      // The iterator stays done.
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    });
  });

  it('ends a call with a signal of its own and a total deadline too', {
    timeout: 10_000,
  }, async () => {
    const server = await startModelServer();
    const provider = core(server.url, {
      ...options,
      timeouts: { firstTokenMs: 20_000, totalMs: 30_000 },
    });
    const controller = new AbortController();
    const iterator = provider.stream(streamed, streamed.stream!, to('quiet', controller.signal));
    const next = iterator.next();
    await vi.waitFor(() => expect(server.received).toEqual(['quiet']), { timeout: 5_000 });
    expect(server.closed()).toBe(0);
    const ended = iterator.return(undefined);
    expect(await within(next, 5_000)).toEqual({ done: true, value: undefined });
    expect(await within(ended, 5_000)).toEqual({ done: true, value: undefined });
    await vi.waitFor(() => expect(server.closed()).toBeGreaterThan(0), { timeout: 5_000 });
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
    // The caller's signal is its own: leaving does not abort it.
    expect(controller.signal.aborted).toBe(false);
  });

  it('ends a call still queued for a concurrency slot, unsent', { timeout: 10_000 }, async () => {
    const server = await startModelServer();
    const provider = core(server.url, { ...options, maxConcurrent: 1 });
    const first = provider.stream(streamed, streamed.stream!, to('quiet'));
    const firstNext = first.next();
    await vi.waitFor(() => expect(server.received).toEqual(['quiet']), { timeout: 5_000 });
    const queued = provider.stream(streamed, streamed.stream!, to('m'));
    const next = queued.next();
    const ended = queued.return(undefined);
    expect(await within(next, 5_000)).toEqual({ done: true, value: undefined });
    expect(await within(ended, 5_000)).toEqual({ done: true, value: undefined });
    expect(server.received).toEqual(['quiet']);
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 1 });
    await first.return(undefined);
    expect(await within(firstNext, 5_000)).toEqual({ done: true, value: undefined });
    expect(provider.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 0 });
  });

  it('leaves a stream read to its end, or left between reads, as it was', async () => {
    const server = await startModelServer();
    const provider = core(server.url, options);
    const whole = provider.stream(streamed, streamed.stream!, to('m'));
    const chunks: unknown[] = [];
    for await (const chunk of { [Symbol.asyncIterator]: () => whole }) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    await expect(whole.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    const left = provider.stream(streamed, streamed.stream!, to('slow'));
    await expect(left.next()).resolves.toMatchObject({ done: false });
    await expect(left.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    expect(provider.stats()).toMatchObject({ successes: 1, cancelled: 1, failures: 0 });
  });

  it.each(Object.entries(readers))(
    'ends a message stream (a model transfer) at once too, over %s',
    { timeout: 10_000 },
    async (_, reader) => {
      const server = await startModelServer();
      const provider = core(server.url, { ...reader, timeouts: { firstTokenMs: 20_000 } });
      const iterator = provider.messages({
        endpoint: '/pull',
        method: 'POST',
        payload: { model: 'quiet' },
        model: undefined,
        signal: undefined,
        format: streamed.stream!,
        breaker: false,
        parse: (message) => message.data,
      });
      const next = iterator.next();
      await vi.waitFor(() => expect(server.received).toEqual(['quiet']), { timeout: 5_000 });
      expect(server.closed()).toBe(0);
      const ended = iterator.return(undefined);
      expect(await within(next, 5_000)).toEqual({ done: true, value: undefined });
      expect(await within(ended, 5_000)).toEqual({ done: true, value: undefined });
      await vi.waitFor(() => expect(server.closed()).toBeGreaterThan(0), { timeout: 5_000 });
      expect(provider.stats()).toMatchObject({ failures: 0, inFlight: 0 });
    },
  );

  it('ends a message stream whose headers are still being made, and sends nothing', {
    timeout: 10_000,
  }, async () => {
    const server = await startModelServer();
    const slowKey = () => new Promise<string>((resolve) => setTimeout(() => resolve('k'), 5_000));
    const provider = core(server.url, { getApiKey: slowKey });
    const iterator = provider.messages({
      endpoint: '/pull',
      method: 'POST',
      payload: { model: 'quiet' },
      model: undefined,
      signal: undefined,
      format: streamed.stream!,
      breaker: false,
      parse: (message) => message.data,
    });
    const next = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ended = iterator.return(undefined);
    expect(await within(ended, 2_000)).toEqual({ done: true, value: undefined });
    expect(await within(next, 2500)).toEqual({ done: true, value: undefined });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.received).toEqual([]);
  });
});

describe('throw() while a read is pending', () => {
  it('ends the call at once and rejects with the error given', { timeout: 10_000 }, async () => {
    const server = await startModelServer();
    const provider = core(server.url, options);
    const iterator = provider.stream(streamed, streamed.stream!, to('quiet'));
    const next = iterator.next();
    await vi.waitFor(() => expect(server.received).toEqual(['quiet']), { timeout: 5_000 });
    const reason = new Error('the caller gave up');
    const thrown = iterator.throw(reason);
    expect(await within(next, 5_000)).toEqual({ done: true, value: undefined });
    expect(await within(thrown, 5_000)).toEqual({ rejected: reason });
    await vi.waitFor(() => expect(server.closed()).toBeGreaterThan(0), { timeout: 5_000 });
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
    expect(await within(provider.close(), 5_000)).toBeUndefined();
  });
});

describe('throw() between reads', () => {
  // What `Readable.from(stream)` does when destroyed with an error (a `pipeline()` to a response
  // whose client went away): the consumer leaves with an error of its own, no failure of the call.
  it('ends the call as return() does, and rejects with the error given', {
    timeout: 10_000,
  }, async () => {
    const server = await startModelServer();
    const provider = core(server.url, options);
    const iterator = provider.stream(streamed, streamed.stream!, to('one'));
    await expect(iterator.next()).resolves.toMatchObject({ done: false });
    const reason = new Error('client went away');
    expect(await within(iterator.throw(reason), 5_000)).toEqual({ rejected: reason });
    await vi.waitFor(() => expect(server.closed()).toBeGreaterThan(0), { timeout: 5_000 });
    expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
    expect(provider.breaker!.stats()).toMatchObject({ state: 'closed', failures: 0 });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('so does a Readable.from() destroyed with an error', { timeout: 10_000 }, async () => {
    const server = await startModelServer();
    const provider = core(server.url, options);
    const iterator = provider.stream(streamed, streamed.stream!, to('one'));
    const readable = Readable.from(
      { [Symbol.asyncIterator]: () => iterator },
      { objectMode: true },
    );
    const closed = new Promise((resolve) => readable.once('close', resolve));
    readable.on('error', () => {});
    readable.once('data', () => readable.destroy(new Error('client went away')));
    await within(closed, 5_000);
    await vi.waitFor(() => expect(provider.stats()).toMatchObject({ cancelled: 1, inFlight: 0 }), {
      timeout: 5_000,
    });
    expect(provider.stats().failures).toBe(0);
  });
});
