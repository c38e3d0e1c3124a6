// What a routed stream costs per chunk, in promises (a deterministic count, not a timing): the
// wake-up that lets a caller leave a pending read is needed only for a provider's stream that
// cannot end that read itself.
import { createHook } from 'node:async_hooks';
import { LeavableIterator } from '@x/internal';
import type { StreamChunk } from '@x/provider-core';
import { describe, expect, it } from 'vitest';
import { fakeProvider, HI, textChunk } from './__fixtures__/fake-provider';
import { createRouter } from './router';

const CHUNKS = 500;

async function* chunks(): AsyncGenerator<StreamChunk, void, undefined> {
  for (let i = 0; i < CHUNKS; i++) yield textChunk('x');
}

/** Promises made while a routed stream over `stream` is read to its end, per chunk. */
async function promisesPerChunk(stream: () => AsyncIterable<StreamChunk>): Promise<number> {
  const provider = fakeProvider('a');
  provider.stream = stream;
  const router = createRouter({
    deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
    consumerMs: 0,
  });
  let made = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') made++;
    },
  });
  hook.enable();
  try {
    for await (const _ of router.stream({ model: 'chat', messages: HI })) {
      // read to the end
    }
  } finally {
    hook.disable();
  }
  await router.close();
  return made / CHUNKS;
}

describe('Router.stream: the cost of a read', () => {
  it('adds no wake-up per chunk over a provider’s LeavableIterator', async () => {
    const leavable = await promisesPerChunk(() => new LeavableIterator<StreamChunk>().of(chunks()));
    const plain = await promisesPerChunk(chunks);
    // The wake-up is a promise a chunk and the reaction that settles it: two.
    expect(plain - leavable).toBeGreaterThanOrEqual(1.9);
  });
});
