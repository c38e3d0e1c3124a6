import { createHash } from 'node:crypto';
import { cacheKey, createCache } from '@x/cache';
import { LRUCache } from 'lru-cache';
import QuickLRU from 'quick-lru';
import stringify from 'safe-stable-stringify';
import type { Suite } from '../context';
import type { MicroGroup } from '../micro';

const ENTRIES = 1000;

/** A typical chat request as a provider would cache it. */
export function chatRequest(i: number) {
  return {
    model: 'llama3.2:3b',
    messages: [
      { role: 'system', content: 'You are a concise assistant. Answer in one paragraph.' },
      {
        role: 'user',
        content: `Summarise request number ${i} of the nightly batch in two sentences.`,
      },
    ],
    options: { temperature: 0, seed: 42, top_p: 0.9, num_ctx: 4096 },
    stream: false,
  };
}

/** A realistic ~4 KiB answer (JSON) for the compression figures. */
export function answer4k(i: number) {
  const sentence =
    'The nightly batch processed the queued documents, retried two transient failures and finished within its window. ';
  let content = '';
  while (content.length < 3600) content += sentence;
  return {
    model: 'llama3.2:3b',
    created_at: '2026-11-26T10:00:00.000Z',
    message: { role: 'assistant', content: `${i}: ${content}` },
    done: true,
    done_reason: 'stop',
    total_duration: 1234567890,
    prompt_eval_count: 41,
    eval_count: 820,
  };
}

export const cacheSuite: Suite = {
  name: 'cache',
  title: '@x/cache: response cache',
  packages: ['@x/cache'],
  async prepare() {
    const keys = Array.from({ length: ENTRIES }, (_, i) =>
      createHash('sha256').update(`key-${i}`).digest('hex'),
    );
    // a small value, under the compression threshold: `get` measures the lookup itself
    const value = { content: 'The batch finished within its window.', done: true };
    const ours = createCache<object>({ maxEntries: ENTRIES, strategy: 'aggressive' });
    const qlru = new QuickLRU<string, unknown>({ maxSize: ENTRIES });
    const lru = new LRUCache<string, object>({ max: ENTRIES });
    for (const k of keys) {
      ours.set(k, value);
      qlru.set(k, value);
      lru.set(k, value);
    }

    // a hit by request, end to end: key the request, find the entry, return the 4 KiB answer
    const requests4k = Array.from({ length: 64 }, (_, i) => chatRequest(i));
    const answers = requests4k.map((_, i) => answer4k(i));
    const oursFull = createCache<object>({ maxEntries: ENTRIES, strategy: 'aggressive' });
    const qlruFull = new QuickLRU<string, unknown>({ maxSize: ENTRIES });
    const sssKey = (r: object) =>
      createHash('sha256')
        .update(stringify(r) ?? '')
        .digest('hex');
    requests4k.forEach((r, i) => {
      oursFull.set(r, answers[i]!);
      qlruFull.set(sssKey(r), answers[i]!);
    });
    const stats = oursFull.stats();
    const rawBytes = answers.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0);
    let fi = 0;
    let gi = 0;
    const requests = Array.from({ length: 64 }, (_, i) => chatRequest(i));
    let ri = 0;

    const groups: MicroGroup[] = [
      {
        name: 'get by key',
        description: `get() of a present entry by a precomputed key, ${ENTRIES} entries`,
        targets: [{ vs: 'quick-lru', min: 1 / 1.5 }],
        cases: [
          {
            name: '@x/cache get(key)',
            library: '@x/cache',
            role: 'ours',
            fn: () => ours.get(keys[gi++ % ENTRIES]!),
          },
          {
            name: 'quick-lru get',
            library: 'quick-lru',
            role: 'peer',
            fn: () => qlru.get(keys[gi++ % ENTRIES]!),
          },
          {
            name: 'lru-cache get',
            library: 'lru-cache',
            role: 'peer',
            fn: () => lru.get(keys[gi++ % ENTRIES]!),
          },
        ],
      },
      {
        name: 'key of a chat request',
        description:
          'a deterministic key for a typical chat request (model, two messages, options)',
        targets: [{ vs: 'safe-stable-stringify + sha256', min: 1.5 }],
        cases: [
          {
            name: '@x/cache cacheKey()',
            library: '@x/cache',
            role: 'ours',
            fn: () => cacheKey(requests[ri++ % requests.length]!),
          },
          {
            name: 'JSON.stringify + sha256 (key-order sensitive)',
            library: 'JSON.stringify + sha256',
            role: 'peer',
            fn: () =>
              createHash('sha256')
                .update(JSON.stringify(requests[ri++ % requests.length]))
                .digest('hex'),
          },
          {
            name: 'safe-stable-stringify + sha256',
            library: 'safe-stable-stringify + sha256',
            role: 'peer',
            fn: () =>
              createHash('sha256')
                .update(stringify(requests[ri++ % requests.length]) ?? '')
                .digest('hex'),
          },
        ],
      },
      {
        name: 'hit by request',
        description:
          'a cache hit for a chat request, end to end: key the request, find the entry, return the 4 KiB answer',
        cases: [
          {
            name: '@x/cache get(request) (stored compressed)',
            library: '@x/cache',
            role: 'ours',
            fn: () => oursFull.get(requests4k[fi++ % requests4k.length]!),
          },
          {
            name: 'quick-lru + safe-stable-stringify + sha256 (uncompressed)',
            library: 'quick-lru + safe-stable-stringify',
            role: 'peer',
            fn: () => qlruFull.get(sssKey(requests4k[fi++ % requests4k.length]!)),
          },
        ],
        facts: () => ({
          'stored size of 4 KiB JSON answers': `${((stats.bytes / rawBytes) * 100).toFixed(1)}% of raw (${stats.compressedEntries}/${answers.length} entries compressed, target ≤ 40%)`,
        }),
      },
    ];
    return { groups };
  },
};
