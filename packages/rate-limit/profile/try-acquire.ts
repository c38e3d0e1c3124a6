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
 * Subjects: `bucket` (createTokenBucket, one bucket), `limiter1`, `rlf1` (one key); `many`
 * (createRateLimiter over --keys keys with `{ requests: 1 }` written at the call, as apps/bench
 * does), `many-shared` (one costs object for every call), `many-ones` (no costs), `rlf-many`;
 * `clock`, `map.get`, `await resolved`, `floor-many`; `map same`, `object same`, `map fresh`,
 * `object fresh` (the index as a Map or a plain object, awaited, keys reused or built per call).
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
const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const index = new Map(keys.map((k, i) => [k, i]));

/** One sync subject (called in a loop) or async subject (each call awaited). */
const subjects: Record<string, ProfileSubject> = {};

async function addOurs(api: Api, prefix: string): Promise<void> {
  const bucket = api.createTokenBucket({ ratePerSecond: RATE, capacity: RATE });
  subjects[`${prefix}bucket`] = { fn: () => bucket.tryAcquire(1), async: false };
  // as apps/bench: a huge capacity refilled slowly, every key holding state
  const many = api.createRateLimiter({
    limits: { requests: { ratePerSecond: 1, capacity: RATE } },
  });
  for (const k of keys) await many.tryAcquire(k, { requests: 1 });
  let i = 0;
  subjects[`${prefix}many`] = {
    fn: () => many.tryAcquire(keys[i++ % KEYS]!, { requests: 1 }),
    async: true,
  };
  const one = { requests: 1 };
  let h = 0;
  subjects[`${prefix}many-shared`] = {
    fn: () => many.tryAcquire(keys[h++ % KEYS]!, one),
    async: true,
  };
  let j = 0;
  subjects[`${prefix}many-ones`] = { fn: () => many.tryAcquire(keys[j++ % KEYS]!), async: true };
}

// a module variable the loops add into: what they look up cannot be optimised away
let sink = 0;
subjects.clock = { fn: () => performance.now(), async: false };
await addOurs({ createRateLimiter, createTokenBucket }, '');
// --baseline=/tmp/base: the dist folder of another build of @x/rate-limit
const baseline = arg('baseline', '');
if (baseline !== '')
  await addOurs(await import(pathToFileURL(`${baseline}/index.js`).href), 'base-');
const limiter = new TokenBucket({ bucketSize: RATE, tokensPerInterval: RATE, interval: 'second' });
subjects.limiter1 = { fn: () => limiter.tryRemoveTokens(1), async: false };
const rlf1 = new RateLimiterMemory({ points: RATE, duration: 1 });
subjects.rlf1 = { fn: () => rlf1.consume('k'), async: true };
const rlfMany = new RateLimiterMemory({ points: RATE, duration: 60 });
for (const k of keys) await rlfMany.consume(k);
let r = 0;
subjects['rlf-many'] = { fn: () => rlfMany.consume(keys[r++ % KEYS]!), async: true };
let m = 0;
subjects['map.get'] = { fn: () => (sink += index.get(keys[m++ % KEYS]!)!), async: false };
subjects['await resolved'] = { fn: () => sink, async: true };
// the three floors in one call: what any in-process keyed decision with this API costs
const admitted = Promise.resolve(true);
let f = 0;
subjects['floor-many'] = {
  fn: () => {
    sink += index.get(keys[f++ % KEYS]!)! + performance.now();
    return admitted;
  },
  async: true,
};
// The index: a Map against a plain object, with the same string objects on every call (as
// apps/bench passes them) and with a key string built per call (as a server builds it).
const dictionary = Object.create(null) as Record<string, number>;
for (const [k, v] of index) dictionary[k] = v;
let x1 = 0;
let x2 = 0;
let x3 = 0;
let x4 = 0;
subjects['map same'] = { fn: () => (sink += index.get(keys[x1++ % KEYS]!)!), async: true };
subjects['object same'] = { fn: () => (sink += dictionary[keys[x2++ % KEYS]!]!), async: true };
subjects['map fresh'] = { fn: () => (sink += index.get(`user:${x3++ % KEYS}`)!), async: true };
subjects['object fresh'] = { fn: () => (sink += dictionary[`user:${x4++ % KEYS}`]!), async: true };

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
