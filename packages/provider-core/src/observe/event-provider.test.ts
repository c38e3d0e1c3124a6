import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider, startReplyServer } from '../__fixtures__/observed';
import { createProviderTopics, PROVIDER_EVENTS } from './events';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** Every payload of `events`, from the listeners and from the `x:provider-reply:*` channels. */
function collect(events: readonly string[]) {
  const published: Array<{ channel: string; payload: Record<string, unknown> }> = [];
  for (const event of events) {
    const name = `x:provider-reply:${event}`;
    const onMessage = (payload: unknown) =>
      published.push({ channel: name, payload: payload as Record<string, unknown> });
    subscribe(name, onMessage);
    cleanup.push(() => unsubscribe(name, onMessage));
  }
  return published;
}

describe('provider events name their provider', () => {
  it('tells two providers of one package apart, on the listeners and the channels', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const published = collect(['response', 'cache-hit', 'retry', 'error']);
    const heard: Array<{ event: string; payload: { provider: string } }> = [];
    for (const name of ['gpu-1', 'gpu-2']) {
      const p = observedProvider(server.url, {
        name,
        cache: {},
        retry: { retries: 1, baseDelayMs: 1, budget: false },
      });
      cleanup.push(() => p.core.close());
      for (const event of ['response', 'cache-hit', 'retry', 'error'] as const) {
        p.core.on(event, (payload) => heard.push({ event, payload }));
      }
      server.status = 200;
      await p.complete(ask('m', `hello from ${name}`));
      await p.complete(ask('m', `hello from ${name}`)); // the cache answers
      server.status = 503;
      await expect(p.complete(ask('m', `fail on ${name}`))).rejects.toMatchObject({
        statusCode: 503,
      });
    }
    const perProvider = (provider: string) =>
      heard.filter((h) => h.payload.provider === provider).map((h) => h.event);
    // Each provider: two answers (one from the cache), one cache hit, one retry, one failure.
    for (const provider of ['gpu-1', 'gpu-2']) {
      expect(perProvider(provider).sort()).toEqual(
        ['cache-hit', 'error', 'response', 'response', 'retry'].sort(),
      );
    }
    expect(heard).toHaveLength(10);
    // The channel messages are the same payloads: each says which provider published it.
    expect(published).toHaveLength(10);
    for (const { channel, payload } of published) {
      expect(['gpu-1', 'gpu-2'], channel).toContain(payload.provider);
    }
    expect(published.filter((m) => m.payload.provider === 'gpu-2')).toHaveLength(5);
  });

  it('names the provider id when no `name` was given', async () => {
    const server = await startReplyServer();
    cleanup.push(() => server.close());
    const p = observedProvider(server.url);
    cleanup.push(() => p.core.close());
    const seen: unknown[] = [];
    p.core.on('response', (payload) => seen.push(payload));
    await p.complete(ask());
    expect(seen).toEqual([expect.objectContaining({ provider: 'reply', model: 'm-0613' })]);
  });

  it('adds the name to every event but audit (which carries its own), over any field a stage sets', () => {
    const topics = createProviderTopics('provider-reply', 'gpu-1');
    const heard: unknown[] = [];
    for (const event of PROVIDER_EVENTS) {
      if (event === 'audit') continue;
      topics[event].on((payload) => heard.push(payload));
      // A payload built elsewhere cannot put another name in.
      topics[event].emit({ model: 'm', provider: 'forged' } as never);
    }
    expect(heard).toEqual(Array(6).fill({ model: 'm', provider: 'gpu-1' }));
  });
});
