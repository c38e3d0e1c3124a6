import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey, createCache } from '@x/cache';
import { LRUCache } from 'lru-cache';
import QuickLRU from 'quick-lru';
import stringify from 'safe-stable-stringify';
import type { Suite } from '../context';
import { appDir } from '../env';
import type { MicroGroup } from '../micro';
import { asPrinted } from '../terminal/table';
import { chatRequest } from './chat-request';

const ENTRIES = 1000;
const ANSWERS = 64;

/** Real technical Markdown (READMEs of installed packages): text that compresses as answers do. */
function markdownCorpus(): string {
  return ['ioredis', 'lru-cache', 'quick-lru', 'safe-stable-stringify']
    .map((name) => {
      for (const f of ['README.md', 'readme.md'].map((f) =>
        join(appDir, 'node_modules', name, f),
      )) {
        try {
          return readFileSync(f, 'utf8');
        } catch {}
      }
      return '';
    })
    .join('\n');
}

/** A ~4 KiB Ollama chat answer whose content is a slice of real Markdown. */
function answer4k(corpus: string, i: number, size = 4096) {
  const shell = {
    model: 'llama3.2:3b',
    created_at: '2026-11-26T10:00:00.000Z',
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1234567890 + i,
    prompt_eval_count: 41,
    eval_count: 820,
  };
  const room = size - JSON.stringify(shell).length;
  const start = (i * 7919) % (corpus.length - 2 * size);
  let content = corpus.slice(start, start + room);
  while (JSON.stringify({ ...shell, message: { role: 'assistant', content } }).length > size) {
    content = content.slice(0, -16);
  }
  return { ...shell, message: { role: 'assistant', content } };
}

/** Indices drawn uniformly at random (seeded), read in turn: the draw costs every case alike. */
function uniformIndices(n: number, count: number, seed = 42): Uint16Array {
  const out = new Uint16Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % n;
  }
  return out;
}

/** The fixture keys of the `get` group (not timed). */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * A request key as the peers make it, with the same hash call as `cacheKey` (Node's one-shot
 * `crypto.hash`, which its docs recommend over `createHash` for small inputs) and the same 43
 * characters of base64url: the rows then differ by how the request is serialised, not by a slower
 * hash call or a longer digest on the peer's side.
 */
const digest = (text: string) => hash('sha256', text, 'base64url');
const sssKey = (r: object) => digest(stringify(r) ?? '');

export const cacheSuite: Suite = {
  name: 'cache',
  title: '@x/cache: response cache',
  packages: ['@x/cache'],
  async prepare() {
    const keys = Array.from({ length: ENTRIES }, (_, i) => sha256(`key-${i}`));
    const draws = uniformIndices(ENTRIES, 4096);
    // a small object, under the compression threshold: `get` measures the lookup itself
    const value = { content: 'The batch finished within its window.', done: true };
    const ours = createCache<object>({ maxEntries: ENTRIES, strategy: 'aggressive' });
    const qlru = new QuickLRU<string, unknown>({ maxSize: ENTRIES });
    const lru = new LRUCache<string, object>({ max: ENTRIES });
    // with a TTL, as every @x/cache entry has one: its get checks expiry too
    const lruTtl = new LRUCache<string, object>({ max: ENTRIES, ttl: 3_600_000 });
    for (const k of keys) {
      ours.set(k, value);
      qlru.set(k, value);
      lru.set(k, value);
      lruTtl.set(k, value);
    }
    let gi = 0;
    const nextKey = () => keys[draws[gi++ & 4095]!]!;

    // a hit by request, end to end: key the request, find the entry, return the 4 KiB answer
    const corpus = markdownCorpus();
    const requests = Array.from({ length: ANSWERS }, (_, i) => chatRequest(i));
    const answers = requests.map((_, i) => answer4k(corpus, i));
    const stored = createCache<object>({ maxEntries: ENTRIES, strategy: 'aggressive' });
    const plain = createCache<object>({
      maxEntries: ENTRIES,
      strategy: 'aggressive',
      compressAboveBytes: Number.POSITIVE_INFINITY,
    });
    const qlruFull = new QuickLRU<string, unknown>({ maxSize: ENTRIES });
    requests.forEach((r, i) => {
      stored.set(r, answers[i]!);
      plain.set(r, answers[i]!);
      qlruFull.set(sssKey(r), answers[i]!);
    });
    // before any read: what the entries take once stored
    const stats = stored.stats();
    const rawBytes = answers.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0);
    let ri = 0;
    const nextRequest = () => requests[ri++ % ANSWERS]!;
    const handRolled = {
      name: 'quick-lru + safe-stable-stringify + sha256, stored uncompressed',
      library: 'quick-lru + safe-stable-stringify',
      role: 'peer' as const,
      fn: () => qlruFull.get(sssKey(nextRequest())),
    };

    const groups: MicroGroup[] = [
      {
        name: 'get(key) of a stored object, uniform random over 1,000 hot keys',
        description: `get() of a present small object by a precomputed key drawn uniformly at random over ${ENTRIES} entries; quick-lru and lru-cache keep no TTL, \`lru-cache (ttl)\` keeps one as every @x/cache entry does, so its get checks expiry too`,
        targets: [{ vs: 'quick-lru', min: 0.67 }],
        cases: [
          {
            name: '@x/cache get(key)',
            library: '@x/cache',
            role: 'ours',
            fn: () => ours.get(nextKey()),
          },
          {
            name: 'quick-lru get',
            library: 'quick-lru',
            role: 'peer',
            fn: () => qlru.get(nextKey()),
          },
          {
            name: 'lru-cache get',
            library: 'lru-cache',
            role: 'peer',
            fn: () => lru.get(nextKey()),
          },
          {
            name: 'lru-cache get, entries with a TTL (1 h)',
            library: 'lru-cache (ttl)',
            role: 'peer',
            fn: () => lruTtl.get(nextKey()),
          },
        ],
      },
      {
        name: 'key of a chat request',
        description:
          'a deterministic key for a typical chat request (model, two messages, options): serialised, then sha256 with `crypto.hash` to 43 base64url characters on every side',
        targets: [{ vs: 'safe-stable-stringify + sha256', min: 1.5 }],
        cases: [
          {
            name: '@x/cache cacheKey()',
            library: '@x/cache',
            role: 'ours',
            fn: () => cacheKey(nextRequest()),
          },
          {
            name: 'JSON.stringify + sha256 (key-order sensitive)',
            library: 'JSON.stringify + sha256',
            role: 'peer',
            fn: () => digest(JSON.stringify(nextRequest())),
          },
          {
            name: 'safe-stable-stringify + sha256',
            library: 'safe-stable-stringify + sha256',
            role: 'peer',
            fn: () => sssKey(nextRequest()),
          },
        ],
      },
      {
        name: 'hit by request, 4 KiB answer, default compression (zlib stored)',
        description: `a cache hit for a chat request, end to end: key the request, find the entry, return the ~4 KiB Markdown answer; @x/cache with its defaults stores it zlib-compressed and, from an entry's second read on, keeps its decoded copy (counted in \`decodedBytes\`, within \`maxBytes\`), so these repeated hits on ${ANSWERS} hot answers return that copy and inflate nothing; the hand-rolled peer keeps the object`,
        targets: [{ vs: 'quick-lru + safe-stable-stringify', min: 0.5 }],
        cases: [
          {
            name: '@x/cache get(request), default compression',
            library: '@x/cache',
            role: 'ours',
            fn: () => stored.get(nextRequest()),
          },
          handRolled,
        ],
        facts: () => {
          // after the timed hits: the compressed entries plus the decoded copies the hits read
          const after = stored.stats();
          const held = after.bytes + after.decodedBytes;
          return {
            'memory held after the hits (stored + decoded copies)': `${((held / rawBytes) * 100).toFixed(1)}% of their JSON (${(held / 1024).toFixed(0)} KiB for ${(rawBytes / 1024).toFixed(0)} KiB)`,
          };
        },
        checks: () => [
          {
            what: '@x/cache stored size of 4 KiB Markdown answers (before any read)',
            value: `${((stats.bytes / rawBytes) * 100).toFixed(1)}% of their JSON (${stats.compressedEntries}/${answers.length} compressed)`,
            target: '≤ 40%',
            met: asPrinted((stats.bytes / rawBytes) * 100, 1) <= 40,
          },
        ],
      },
      {
        name: 'hit by request, 4 KiB answer, uncompressed (compressAboveBytes: Infinity)',
        description:
          'the same hit with compression off on both sides: key the request, find the entry, return the stored answer',
        cases: [
          {
            name: '@x/cache get(request), compression off',
            library: '@x/cache',
            role: 'ours',
            fn: () => plain.get(nextRequest()),
          },
          handRolled,
        ],
      },
    ];
    return { groups };
  },
};
