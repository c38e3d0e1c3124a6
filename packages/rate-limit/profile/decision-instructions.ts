/**
 * The instructions one admission decision executes, counted under valgrind (see
 * `@x/internal/testing`'s `instructions.ts`) rather than timed: the three setups apps/bench
 * compares (one bucket, one key of a keyed limiter, 100 000 keys), ours beside the peer and beside
 * the floor of each. Timed, the 100k-key subjects of `try-acquire.ts` move by a quarter from one
 * run to the next on a shared machine (each lookup misses the CPU caches). Counted, V8's
 * optimising compiler and garbage collector are left out: a decision costs about a thousand
 * instructions, and what those two did between the two call counts moved a total by hundreds
 * from run to run (what an allocation costs the collector later is left out with them). Needs
 * valgrind. Run from packages/rate-limit, built (`pnpm build`; the peers are apps/bench's
 * dependencies):
 *
 *   node --import tsx profile/decision-instructions.ts
 *   node --import tsx profile/decision-instructions.ts --only=floor-many,many --calls=100000,300000
 *
 * The keyed limiters refill at 0.001/s here where apps/bench's refill at 1/s: valgrind runs a
 * decision about fifty times slower, and at 1/s a key would fill up again between two visits, be
 * swept and come back as a new key, which is not what the timed benchmark measures (there, every
 * key keeps its state). At 0.001/s a key refills about as little between visits as at full speed.
 * An instruction is not a fixed time (a cache miss costs more than many), so a saving counted here
 * is confirmed with apps/bench before it is claimed.
 */
import {
  COLLECTOR_FUNCTIONS,
  COMPILER_FUNCTIONS,
  cliArg,
  countedChild,
  keepOnly,
  perUnit,
  requirePeer,
} from '@x/internal/testing';
import { createRateLimiter, createTokenBucket } from '@x/rate-limit';

/** Limits no call reaches, as in apps/bench: every call is an admission. */
const RATE = 1e9;
const KEYS = 100_000;

/** What a counted process runs: setup (not counted: the same in both runs), then `n` calls. */
type Subject = () => Promise<(n: number) => Promise<number>>;

const admitted = Promise.resolve(true);
const refused = Promise.resolve(false);
const keys = () => Array.from({ length: KEYS }, (_, i) => `user:${i}`);

/** `n` synchronous calls; how many were admitted. */
function syncLoop(fn: () => boolean): (n: number) => Promise<number> {
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (fn()) ok++;
    return ok;
  };
}

/** `n` calls one after another, each awaited; how many were admitted. */
function awaitedLoop(fn: (i: number) => Promise<unknown>): (n: number) => Promise<number> {
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if ((await fn(i)) !== false) ok++;
    return ok;
  };
}

/** A keyed limiter over apps/bench's 100k keys, each holding state (see the header). */
async function manyKeys() {
  const all = keys();
  const limiter = createRateLimiter({
    limits: { requests: { ratePerSecond: 0.001, capacity: RATE } },
  });
  for (const k of all) await limiter.tryAcquire(k);
  return { all, limiter };
}

const subjects: Record<string, Subject> = {
  clock: async () => syncLoop(() => performance.now() > 0),
  bucket: async () => {
    const bucket = createTokenBucket({ ratePerSecond: RATE, capacity: RATE });
    return syncLoop(() => bucket.tryAcquire(1));
  },
  limiter: async () => {
    const { TokenBucket } = requirePeer('limiter');
    const bucket = new TokenBucket({
      bucketSize: RATE,
      tokensPerInterval: RATE,
      interval: 'second',
    });
    return syncLoop(() => bucket.tryRemoveTokens(1));
  },
  'floor-one': async () => {
    const index = new Map([['k', 0]]);
    return awaitedLoop(() =>
      index.get('k') !== undefined && performance.now() > 0 ? admitted : refused,
    );
  },
  one: async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: RATE, capacity: RATE } },
    });
    return awaitedLoop(() => limiter.tryAcquire('k'));
  },
  'rlf-one': async () => {
    const { RateLimiterMemory } = requirePeer('rate-limiter-flexible');
    const rlf = new RateLimiterMemory({ points: RATE, duration: 1 });
    return awaitedLoop(() => rlf.consume('k'));
  },
  'floor-many': async () => {
    // apps/bench's floor: the key's Map entry, the state it points to, the clock, the await
    const all = keys();
    const index = new Map(all.map((k, i) => [k, i]));
    const state = new Float64Array(KEYS * 2).fill(1);
    return awaitedLoop((i) => {
      const slot = index.get(all[i % KEYS]!);
      return slot !== undefined && state[slot * 2]! + performance.now() > 0 ? admitted : refused;
    });
  },
  many: async () => {
    const { all, limiter } = await manyKeys();
    return awaitedLoop((i) => limiter.tryAcquire(all[i % KEYS]!));
  },
  'many-literal': async () => {
    const { all, limiter } = await manyKeys();
    return awaitedLoop((i) => limiter.tryAcquire(all[i % KEYS]!, { requests: 1 }));
  },
  'many-shared': async () => {
    const { all, limiter } = await manyKeys();
    const one = { requests: 1 };
    return awaitedLoop((i) => limiter.tryAcquire(all[i % KEYS]!, one));
  },
  'rlf-many': async () => {
    const { RateLimiterMemory } = requirePeer('rate-limiter-flexible');
    const all = keys();
    const rlf = new RateLimiterMemory({ points: RATE, duration: 86_400 });
    for (const k of all) await rlf.consume(k);
    return awaitedLoop((i) => rlf.consume(all[i % KEYS]!));
  },
};

const child = cliArg('child', '');
if (child !== '') {
  const n = Number(cliArg('n', '0'));
  const run = await subjects[child]!();
  // every call is an admission: a subject refusing (or skipping) calls would show here
  const ok = await run(n);
  if (ok !== n) throw new Error(`${child}: ${n - ok} of ${n} calls refused`);
} else {
  keepOnly(subjects, cliArg('only', ''));
  const [first, second] = cliArg('calls', '100000,300000').split(',').map(Number) as [
    number,
    number,
  ];
  const leaveOut = [COMPILER_FUNCTIONS, COLLECTOR_FUNCTIONS];
  console.log(`instructions per decision (calls ${first} to ${second}):`);
  for (const subject of Object.keys(subjects)) {
    const n = await perUnit(countedChild(import.meta.url, subject, leaveOut), first, second);
    console.log(`  ${subject.padEnd(14)} ${n.toFixed(0)}`);
  }
}
