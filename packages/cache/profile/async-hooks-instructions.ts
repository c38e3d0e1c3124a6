/**
 * What an `AsyncLocalStorage` would cost the cache on Node 20, counted under valgrind (see
 * `@x/internal/testing`'s `instructions.ts`): the instructions of one `getOrLoad` hit and of one
 * load (a miss, a loader that answers at once), each in a process where no `AsyncLocalStorage`
 * ever ran and in one where one ran once, elsewhere. On Node 20 a storage that has run turns on
 * promise hooks for the whole process, so every promise a hit makes pays them; that is why the
 * cache finds a loader asking for its own key without one (README, Behaviour notes, Single
 * flight). V8's compiler and collector are left out. Needs valgrind. Run from packages/cache,
 * built (`pnpm build`):
 *
 *   node --import tsx profile/async-hooks-instructions.ts
 *   node --import tsx profile/async-hooks-instructions.ts --calls=20000,60000
 *
 * What it read (December 2026, Node 20.20): a hit 14,800 instructions, 17,700 with a storage
 * enabled (+20%); a load 53,100, 67,000 with one (+26%), before any loader runs in one. Two runs
 * of the same build differ by up to about 1,000 instructions a hit.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createCache } from '@x/cache';
import {
  COLLECTOR_FUNCTIONS,
  COMPILER_FUNCTIONS,
  cliArg,
  countedChild,
  perUnit,
} from '@x/internal/testing';

const requests = Array.from({ length: 1000 }, (_, i) => ({
  model: 'llama3.2',
  prompt: `question ${i}`,
  options: { temperature: 0 },
}));

const subjects = ['hit', 'hit, storage enabled', 'load', 'load, storage enabled'];

const child = cliArg('child', '');
if (child !== '') {
  if (child.endsWith('storage enabled')) new AsyncLocalStorage().run({}, () => {});
  const n = Number(cliArg('n', '0'));
  let answered = 0;
  if (child.startsWith('hit')) {
    const cache = createCache({ strategy: 'aggressive' });
    for (const request of requests) await cache.getOrLoad(request, () => ({ answer: 1 }));
    for (let i = 0; i < n; i++)
      answered += (await cache.getOrLoad(requests[i % 1000]!, () => 0)) === 0 ? 0 : 1;
  } else {
    // one entry: each call misses the entry the previous one stored, and loads
    const cache = createCache({ strategy: 'aggressive', maxEntries: 1 });
    for (let i = 0; i < n; i++) {
      answered += (await cache.getOrLoad(requests[i % 1000]!, () => ({ answer: 1 }))) ? 1 : 0;
    }
  }
  // every call answered: a subject that did less work would show here
  if (answered !== n) throw new Error(`${child}: ${n - answered} calls not answered`);
} else {
  const [first, second] = cliArg('calls', '20000,60000').split(',').map(Number) as [number, number];
  console.log(`instructions per getOrLoad call (calls ${first} to ${second}):`);
  const leaveOut = [COMPILER_FUNCTIONS, COLLECTOR_FUNCTIONS];
  for (const subject of subjects) {
    const n = await perUnit(countedChild(import.meta.url, subject, leaveOut), first, second);
    console.log(`  ${subject.padEnd(24)} ${n.toFixed(0)}`);
  }
}
