import { createCache } from '@x/cache';
import { describe, expect, it } from 'vitest';
import { ask, collect } from './__fixtures__/server';
import { chatsAt, simSetup } from './__fixtures__/sim-provider';
import type { StreamChunk } from './types';

const { setup } = simSetup();

describe('cache through the provider', () => {
  const deterministic = (content: string) => ask(content, { temperature: 0, seed: 7 });

  it('shares one call between identical requests in flight and marks later hits cached', async () => {
    const { sim, provider } = await setup({}, { tokensPerSecond: 200 });
    const [a, b] = await Promise.all([
      provider.complete(deterministic('same')),
      provider.complete(deterministic('same')),
    ]);
    expect(a.content).toBe(b.content);
    expect(chatsAt(sim)).toBe(1);
    const c = await provider.complete(deterministic('same'));
    expect(c).toMatchObject({ cached: true, attempts: 0, content: a.content });
    expect(chatsAt(sim)).toBe(1);
    expect(provider.stats().cacheHits).toBe(2);
  });

  it('replays a cached stream as a stream, chunk for chunk', async () => {
    const { sim, provider } = await setup();
    const live = await collect(provider.stream(deterministic('stream me')));
    const replay = await collect(provider.stream(deterministic('stream me')));
    expect(replay.map((c) => c.content)).toEqual(live.map((c) => c.content));
    expect(replay.at(-1)!.response!.cached).toBe(true);
    expect(live.at(-1)!.response!.cached).toBe(false);
    expect(chatsAt(sim)).toBe(1);
    const viaComplete = await provider.complete(deterministic('stream me'));
    expect(viaComplete).toMatchObject({ cached: true, content: live.at(-1)!.response!.content });
  });

  it('rejects with the signal reason when aborted during the replay of a cached stream', async () => {
    const { provider } = await setup();
    const live = await collect(provider.stream(deterministic('stream me twice')));
    expect(live.length).toBeGreaterThan(3);
    const controller = new AbortController();
    const reason = new Error('user left');
    const seen: StreamChunk[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(
        ask('stream me twice', { temperature: 0, seed: 7, signal: controller.signal }),
      )) {
        seen.push(chunk);
        if (seen.length === 2) controller.abort(reason);
      }
    })().catch((e) => e);
    expect(error).toBe(reason);
    expect(seen).toHaveLength(2);
  });

  it("skips the cache with 'bypass' and rewrites it with 'refresh'", async () => {
    const { sim, provider } = await setup();
    await provider.complete(deterministic('q'));
    await provider.complete(deterministic('q')).then((r) => expect(r.cached).toBe(true));
    const bypass = await provider.complete({ ...deterministic('q'), cache: 'bypass' });
    expect(bypass.cached).toBe(false);
    const refresh = await provider.complete({ ...deterministic('q'), cache: 'refresh' });
    expect(refresh.cached).toBe(false);
    expect(chatsAt(sim)).toBe(3);
  });

  it('never stores a truncated answer, in its own cache or a shared one', async () => {
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    for (const cache of [undefined, createCache()]) {
      const { sim, provider } = await setup({
        tokens: { onOverflow: 'allow', numCtx: 256 },
        ...(cache === undefined ? {} : { cache }),
      });
      const first = await provider.complete(deterministic(long));
      expect(first.truncated).toBe(true);
      const second = await provider.complete(deterministic(long));
      expect(second.cached).toBe(false);
      expect(chatsAt(sim)).toBe(2);
    }
  });

  it('never stores a failed or sampled answer', async () => {
    const { sim, provider } = await setup();
    sim.setFaults([
      { route: '/api/chat', sequence: [{ kind: 'status', status: 400, error: 'nope' }] },
    ]);
    await expect(provider.complete(deterministic('f'))).rejects.toMatchObject({ statusCode: 400 });
    expect((await provider.complete(deterministic('f'))).cached).toBe(false);
    await provider.complete(ask('sampled'));
    expect((await provider.complete(ask('sampled'))).cached).toBe(false);
    expect(chatsAt(sim)).toBe(4);
  });
});
