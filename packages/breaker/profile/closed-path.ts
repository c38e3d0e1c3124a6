/**
 * Where the closed path's time goes: one awaited `execute()` of an async function that resolves
 * at once, beside cockatiel and opossum (`timeout: false`, as apps/bench compares) and beside the
 * bare shapes any promise-based breaker is built from. Run from packages/breaker, built
 * (`pnpm --filter @x/breaker build`; the peers are apps/bench's dependencies):
 *
 *   node --import tsx profile/closed-path.ts                      # ns per call, ticks per call
 *   node --import tsx profile/closed-path.ts --baseline=/tmp/base # + `base`: another build's dist
 *   node --cpu-prof --import tsx profile/closed-path.ts --only=ours --rounds=200
 *
 * Everything runs in one process, in rotated order, over many short rounds: the median of the
 * per-round figures holds on a shared, noisy machine where one long sample does not. `ticks` is
 * how many microtask turns pass before the caller's `await` resumes.
 */
import { pathToFileURL } from 'node:url';
import { createBreaker } from '@x/breaker';
import {
  cliArg as arg,
  keepOnly,
  medianOf as median,
  type ProfileSubject,
  requirePeer,
  rotatedRounds,
} from '@x/internal/testing';

const ROUNDS = Number(arg('rounds', '60'));
const CALLS = Number(arg('calls', '20000'));
const only = arg('only', '');

const { circuitBreaker, ConsecutiveBreaker, handleAll } = requirePeer('cockatiel');
const OpossumBreaker = requirePeer('opossum');

const ok = async () => 1;
let outcomes = 0;
const onValue = (value: unknown) => {
  outcomes++;
  return value;
};
const onError = (error: unknown) => {
  outcomes++;
  throw error;
};
const observeError = () => {
  outcomes++;
};
async function asyncWrapper<T>(fn: () => Promise<T>): Promise<T> {
  try {
    const value = await fn();
    outcomes++;
    return value;
  } catch (error) {
    outcomes++;
    throw error;
  }
}

const ours = createBreaker({ name: 'profile' });
const cockatiel = circuitBreaker(handleAll, {
  halfOpenAfter: 30_000,
  breaker: new ConsecutiveBreaker(5),
});
const opossum = new OpossumBreaker(ok, { timeout: false, errorThresholdPercentage: 50 });

const subjects: Record<string, () => unknown> = {
  // the floor: no breaker at all, one tick
  bare: () => ok(),
  // fn's own promise returned, an observer reaction attached first: one tick, one extra job
  observer: () => {
    const p = ok();
    p.then(onValue, observeError);
    return p;
  },
  // a derived promise: what a breaker that returns its own promise needs, two ticks
  '.then': () => ok().then(onValue, onError),
  'async fn': () => asyncWrapper(ok),
  ours: () => ours.execute(ok),
  cockatiel: () => cockatiel.execute(ok),
  opossum: () => opossum.fire(),
};

// --baseline=/tmp/base: the dist folder of another build of @x/breaker
const baseline = arg('baseline', '');
if (baseline !== '') {
  const base = (await import(pathToFileURL(`${baseline}/index.js`).href)) as {
    createBreaker: typeof createBreaker;
  };
  const b = base.createBreaker({ name: 'baseline' });
  subjects.base = () => b.execute(ok);
}
keepOnly(subjects, only);

async function ticksOf(fn: () => unknown): Promise<number> {
  let ticks = 0;
  let done = false;
  const count = () => {
    if (done) return;
    ticks++;
    queueMicrotask(count);
  };
  queueMicrotask(count);
  await fn();
  done = true;
  return ticks;
}

const awaited: Record<string, ProfileSubject> = {};
for (const [name, fn] of Object.entries(subjects)) awaited[name] = { fn, async: true };
const figures = await rotatedRounds(awaited, ROUNDS, CALLS);
console.log(`${ROUNDS} rounds of ${CALLS} awaited calls, medians (outcomes seen: ${outcomes})`);
console.log('subject      ticks  wall ns  cpu ns  time ÷ ours (wall)');
const oursWall = figures.get('ours')?.wall;
for (const [n, { wall, cpu }] of figures) {
  const ratio =
    oursWall === undefined ? '' : `${median(wall.map((x, i) => x / oursWall[i]!)).toFixed(2)}x`;
  console.log(
    `${n.padEnd(12)} ${String(await ticksOf(subjects[n]!)).padStart(5)}  ${median(wall).toFixed(0).padStart(7)}  ${median(cpu).toFixed(0).padStart(6)}  ${ratio}`,
  );
}
opossum.shutdown();
