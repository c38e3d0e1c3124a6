/**
 * Heap an uncompressed cache takes per counted byte (`stats().bytes + decodedBytes`), by the shape
 * of its values: memory keeps such a value as the parsed, frozen object, whose heap size depends
 * on how many objects and arrays its JSON holds, not on its length. Forced GC before and after
 * filling a cache of 8 MiB. Run from packages/cache, built (`pnpm build`):
 *
 *   node --expose-gc --import tsx profile/heap-per-shape.ts
 */
import { createCache } from '@x/cache';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: (() => void) | undefined }).gc;
if (gc === undefined) throw new Error('Run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const text = (n: number) => `${'word '.repeat(n / 5)}`.slice(0, n);

const shapes: [string, (i: number) => unknown][] = [
  ['chat answer, ~500 B of text', (i) => ({ role: 'assistant', content: `${i} ${text(480)}` })],
  ['chat answer, ~2 KiB of text', (i) => ({ role: 'assistant', content: `${i} ${text(2000)}` })],
  ['embedding, 256 numbers', (i) => Array.from({ length: 256 }, (_, j) => (i * j) / 7919)],
  ['array of 30,000 empty arrays', () => Array.from({ length: 30_000 }, () => [])],
  ['array of 30,000 empty objects', () => Array.from({ length: 30_000 }, () => ({}))],
  [
    'array of 3,000 { id, ok } objects',
    (i) => Array.from({ length: 3_000 }, (_, j) => ({ id: i + j, ok: true })),
  ],
];

for (const [label, make] of shapes) {
  const before = heap();
  const cache = createCache({ maxBytes: 8 * MB, maxEntries: 1e6, compressAboveBytes: Infinity });
  for (let i = 0; i < 20_000 && cache.stats().evictions === 0; i++) cache.set(`key${i}`, make(i));
  const after = heap();
  const { bytes, decodedBytes, entries } = cache.stats();
  const ratio = (after - before) / (bytes + decodedBytes);
  console.log(`${label.padEnd(36)} ${String(entries).padStart(6)} entries  ${ratio.toFixed(2)}x`);
  await cache.close();
}
