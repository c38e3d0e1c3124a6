/**
 * The instructions one cache key of a chat request executes, counted under valgrind (see
 * `@x/internal/testing`'s `instructions.ts`), beside the peer apps/bench compares it with
 * (safe-stable-stringify, then the same `crypto.hash` SHA-256) and beside that hash call alone on
 * a text of the same length. The requests are apps/bench's (`suites/chat-request.ts`). Needs
 * valgrind. Run from packages/cache, built (`pnpm build`):
 *
 *   node --import tsx profile/key-instructions.ts
 *   node --import tsx profile/key-instructions.ts --calls=100000,300000
 *
 * What it read (December 2026, Node 20.20): `cacheKey()` 24,800 instructions a key, of which the
 * SHA-256 call 13,000 (the same on both sides), against 36,800 for safe-stable-stringify + SHA-256.
 * Before the string heads and small-integer tokens were built once (and a top-level member's
 * token and filter were one lookup), `cacheKey()` read 26,200.
 */
import { hash } from 'node:crypto';
import { cacheKey } from '@x/cache';
import { cliArg, countedChild, perUnit } from '@x/internal/testing';
import stringify from 'safe-stable-stringify';
import { chatRequest } from '../../../apps/bench/src/suites/chat-request';

const requests = Array.from({ length: 64 }, (_, i) => chatRequest(i));
const text = stringify(requests[0]) ?? '';

const subjects: Record<string, (i: number) => string> = {
  'cacheKey()': (i) => cacheKey(requests[i & 63]!),
  'safe-stable-stringify + sha256': (i) =>
    hash('sha256', stringify(requests[i & 63]) ?? '', 'base64url'),
  'sha256 alone (the same text each call)': () => hash('sha256', text, 'base64url'),
};

const child = cliArg('child', '');
if (child !== '') {
  const fn = subjects[child]!;
  const n = Number(cliArg('n', '0'));
  let length = 0;
  for (let i = 0; i < n; i++) length += fn(i).length;
  // every key is 43 characters: a subject that did less work would show here
  if (length !== 43 * n) throw new Error(`${child}: unexpected key length`);
} else {
  const [first, second] = cliArg('calls', '100000,300000').split(',').map(Number) as [
    number,
    number,
  ];
  console.log(`instructions per key (calls ${first} to ${second}):`);
  for (const subject of Object.keys(subjects)) {
    const n = await perUnit(countedChild(import.meta.url, subject), first, second);
    console.log(`  ${subject.padEnd(40)} ${n.toFixed(0)}`);
  }
}
