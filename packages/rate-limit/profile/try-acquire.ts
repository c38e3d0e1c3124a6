/**
 * Where a `tryAcquire` decision's time goes, beside the peers apps/bench compares with (limiter's
 * `TokenBucket`, rate-limiter-flexible's `RateLimiterMemory`) and beside its floors: one clock
 * read, one `Map.get` over the same keys, one `await` of a resolved promise, and the three in one
 * call (`floor-many`). Run from packages/rate-limit, built (`pnpm --filter @x/rate-limit build`;
 * the peers are apps/bench's dependencies):
 *
 *   node --import tsx profile/try-acquire.ts                      # every subject
 *   node --import tsx profile/try-acquire.ts --baseline=/tmp/base # + `base-*`: another build's dist
 *   node --import tsx profile/try-acquire.ts --only=many,rlf-many,floor-many --keys=10000
 *   node --cpu-prof --import tsx profile/try-acquire.ts --only=many --rounds=200
 *
 * Subjects: `bucket` (createTokenBucket, one bucket), `limiter1`; `one` (createRateLimiter,
 * one key, awaited), `rlf1`, `floor-one`; `many`
 * (createRateLimiter over --keys keys, no costs named, as apps/bench calls it), `many-literal`
 * (`{ requests: 1 }` written at the call), `many-shared` (one costs object for every call),
 * `rlf-many`; `clock` (and `clock captured`, `process.hrtime`, `Date.now`), `map.get`,
 * `await resolved`, `floor-many`; `map same`, `object same`, `map fresh`, `object fresh` (the
 * index as a Map or a plain object, awaited, keys reused or built per call).
 *
 * Everything runs in one process, in rotated order, over many short rounds; the figures are the
 * medians of the rounds (wall clock, and process CPU time, which a busy machine disturbs less)
 * and the fastest round (the least disturbed one).
 */
import { pathToFileURL } from 'node:url';
import {
  cliArg as arg,
  keepOnly,
  medianOf as median,
  type ProfileSubject,
  requirePeer,
  rotatedRounds,
} from '@x/internal/testing';
import { createRateLimiter, createTokenBucket } from '@x/rate-limit';

const ROUNDS = Number(arg('rounds', '40'));
const CALLS = Number(arg('calls', '20000'));
const KEYS = Number(arg('keys', '100000'));
const only = arg('only', '');

const { TokenBucket } = requirePeer('limiter');
const { RateLimiterMemory } = requirePeer('rate-limiter-flexible');

/** Limits no call reaches, as in apps/bench: every call is an admission. */
const RATE = 1e9;
type Api = {
  createRateLimiter: typeof createRateLimiter;
  createTokenBucket: typeof createTokenBucket;
};
/**
 * The keys, as new string objects. Every keyed subject walks keys of its own, with state of its
 * own: the subjects walk in step (each makes the same number of calls a round), and one that
 * walked the strings, `Map` entries or state another had just brought into the CPU caches timed
 * tens of nanoseconds faster than the same code walking cold ones.
 */
const freshKeys = () => Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const indexOf = (keys: readonly string[]) => new Map(keys.map((k, i) => [k, i]));

/** One sync subject (called in a loop) or async subject (each call awaited). */
const subjects: Record<string, ProfileSubject> = {};

async function addOurs(api: Api, prefix: string): Promise<void> {
  const bucket = api.createTokenBucket({ ratePerSecond: RATE, capacity: RATE });
  subjects[`${prefix}bucket`] = { fn: () => bucket.tryAcquire(1), async: false };
  // apps/bench's keyed limiter of one key, awaited
  const oneKey = api.createRateLimiter({
    limits: { requests: { ratePerSecond: RATE, capacity: RATE } },
  });
  subjects[`${prefix}one`] = { fn: () => oneKey.tryAcquire('k'), async: true };
  // as apps/bench: a huge capacity refilled slowly, every key holding state
  const keyed = async () => {
    const keys = freshKeys();
    const limiter = api.createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: RATE } },
    });
    for (const k of keys) await limiter.tryAcquire(k);
    return { keys, limiter };
  };
  const a = await keyed();
  let j = 0;
  subjects[`${prefix}many`] = { fn: () => a.limiter.tryAcquire(a.keys[j++ % KEYS]!), async: true };
  const b = await keyed();
  let i = 0;
  subjects[`${prefix}many-literal`] = {
    fn: () => b.limiter.tryAcquire(b.keys[i++ % KEYS]!, { requests: 1 }),
    async: true,
  };
  const c = await keyed();
  const one = { requests: 1 };
  let h = 0;
  subjects[`${prefix}many-shared`] = {
    fn: () => c.limiter.tryAcquire(c.keys[h++ % KEYS]!, one),
    async: true,
  };
}

// a module variable the loops add into: what they look up cannot be optimised away
let sink = 0;
subjects.clock = { fn: () => performance.now(), async: false };
// Other routes to the same clock, without the global getter and `now()`'s receiver check that
// cost most of the instructions of a read (`decision-instructions.ts`): what they save in time.
const captured = performance;
subjects['clock captured'] = { fn: () => captured.now(), async: false };
subjects['process.hrtime'] = { fn: () => (sink += process.hrtime()[1]!), async: false };
subjects['Date.now'] = { fn: () => Date.now(), async: false };
await addOurs({ createRateLimiter, createTokenBucket }, '');
// --baseline=/tmp/base: the dist folder of another build of @x/rate-limit
const baseline = arg('baseline', '');
if (baseline !== '')
  await addOurs(await import(pathToFileURL(`${baseline}/index.js`).href), 'base-');
const limiter = new TokenBucket({ bucketSize: RATE, tokensPerInterval: RATE, interval: 'second' });
subjects.limiter1 = { fn: () => limiter.tryRemoveTokens(1), async: false };
const rlf1 = new RateLimiterMemory({ points: RATE, duration: 1 });
subjects.rlf1 = { fn: () => rlf1.consume('k'), async: true };
// apps/bench's floor of one key: its Map entry, the clock, the await of a resolved promise
const oneIndex = new Map([['k', 0]]);
const admittedOne = Promise.resolve(true);
subjects['floor-one'] = {
  fn: () => {
    sink += oneIndex.get('k')! + performance.now();
    return admittedOne;
  },
  async: true,
};
const rlfKeys = freshKeys();
// a window longer than the run, as in apps/bench: no key expires and comes back mid-measure
const rlfMany = new RateLimiterMemory({ points: RATE, duration: 86_400 });
for (const k of rlfKeys) await rlfMany.consume(k);
let r = 0;
subjects['rlf-many'] = { fn: () => rlfMany.consume(rlfKeys[r++ % KEYS]!), async: true };
const getKeys = freshKeys();
const getIndex = indexOf(getKeys);
let m = 0;
subjects['map.get'] = { fn: () => (sink += getIndex.get(getKeys[m++ % KEYS]!)!), async: false };
subjects['await resolved'] = { fn: () => sink, async: true };
// apps/bench's floor in one call: the key's Map entry, the state it points to, the clock, the
// await of a resolved promise: what any in-process keyed decision with this API costs
const admitted = Promise.resolve(true);
const floorKeys = freshKeys();
const floorIndex = indexOf(floorKeys);
const floorState = new Float64Array(KEYS * 2).fill(1);
let f = 0;
subjects['floor-many'] = {
  fn: () => {
    sink += floorState[floorIndex.get(floorKeys[f++ % KEYS]!)! * 2]! + performance.now();
    return admitted;
  },
  async: true,
};
// The index: a Map against a plain object, with the same string objects on every call (as
// apps/bench passes them) and with a key string built per call (as a server builds it).
const dictionaryOf = (keys: readonly string[]) => {
  const dictionary = Object.create(null) as Record<string, number>;
  for (const [i, k] of keys.entries()) dictionary[k] = i;
  return dictionary;
};
const [k1, k2] = [freshKeys(), freshKeys()];
const [map1, map3] = [indexOf(k1), indexOf(freshKeys())];
const [object2, object4] = [dictionaryOf(k2), dictionaryOf(freshKeys())];
let x1 = 0;
let x2 = 0;
let x3 = 0;
let x4 = 0;
subjects['map same'] = { fn: () => (sink += map1.get(k1[x1++ % KEYS]!)!), async: true };
subjects['object same'] = { fn: () => (sink += object2[k2[x2++ % KEYS]!]!), async: true };
subjects['map fresh'] = { fn: () => (sink += map3.get(`user:${x3++ % KEYS}`)!), async: true };
subjects['object fresh'] = { fn: () => (sink += object4[`user:${x4++ % KEYS}`]!), async: true };

keepOnly(subjects, only);

const figures = await rotatedRounds(subjects, ROUNDS, CALLS);
console.log(`${ROUNDS} rounds of ${CALLS} calls, ${KEYS} keys, medians`);
console.log('subject              wall ns  cpu ns  min wall ns');
for (const [n, { wall, cpu }] of figures) {
  console.log(
    `${n.padEnd(20)} ${median(wall).toFixed(1).padStart(7)}  ${median(cpu).toFixed(1).padStart(6)}  ${Math.min(
      ...wall,
    )
      .toFixed(1)
      .padStart(11)}`,
  );
}
