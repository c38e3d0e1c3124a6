import { createBreaker } from '@x/breaker';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import type { Suite } from '../context';
import { beyondBaseline, roomForTargets } from './baseline';

const ok = async () => 1;

/**
 * The least a breaker adds when it returns a promise of its own (so that a failure the caller
 * drops still surfaces as an unhandled rejection): one `then` on fn's promise, one more tick.
 */
const DERIVED = "fn's promise and one .then (the floor of a breaker that returns its own promise)";
const passValue = (value: number) => value;
const passError = (error: unknown): never => {
  throw error;
};
const fail = async () => {
  throw new Error('down');
};

export const breakerSuite: Suite = {
  name: 'breaker',
  title: '@x/breaker: circuit breaker',
  packages: ['@x/breaker'],
  async prepare() {
    const ours = createBreaker({ name: 'bench-closed' });
    const oursOpen = createBreaker({ name: 'bench-open', openTimeoutMs: 3_600_000 });
    oursOpen.open();

    // closed path: every breaker wraps an async function that resolves at once
    const opossumClosed = new CircuitBreaker(ok, { timeout: false, errorThresholdPercentage: 50 });
    // opossum's defaults start a 10 s timer per call: what a user who changes nothing pays
    const opossumDefaults = new CircuitBreaker(ok);
    const cockatielClosed = circuitBreaker(handleAll, {
      halfOpenAfter: 30_000,
      breaker: new ConsecutiveBreaker(5),
    });

    // open path: each breaker is opened by hand, so every call is a rejection
    // No listener of ours on opossum's 'reject': emitting to one more is work @x/breaker's row
    // does not do (opossum counts rejects with its own listener; no listener is needed to reject).
    const opossumOpen = new CircuitBreaker(fail, { timeout: false, resetTimeout: 3_600_000 });
    opossumOpen.open();
    const cockatielOpen = circuitBreaker(handleAll, {
      halfOpenAfter: 3_600_000,
      breaker: new ConsecutiveBreaker(1),
    });
    const isolation = cockatielOpen.isolate();
    const swallow = (p: Promise<unknown>) =>
      p.then(
        () => {
          throw new Error('an open breaker let a call through');
        },
        () => undefined,
      );

    // issue 17
    const closedTargets = [
      { vs: 'cockatiel', min: 2 },
      { vs: 'opossum', min: 8 },
    ];

    return {
      groups: [
        {
          name: 'closed path, one awaited call',
          description:
            'one awaited call through a closed breaker wrapping an async function that resolves at once (opossum with `timeout: false`, like for like)',
          targets: closedTargets,
          facts: (rows) => ({
            ...beyondBaseline(rows, (library) => `overhead per call, ${library}`),
            ...roomForTargets(rows, closedTargets, 'the bare awaited call'),
            ...roomForTargets(rows, closedTargets, "one .then on fn's promise", DERIVED),
          }),
          cases: [
            { name: 'bare async call', library: 'none', role: 'baseline', async: true, fn: ok },
            {
              name: DERIVED,
              library: 'none',
              role: 'baseline',
              async: true,
              fn: () => ok().then(passValue, passError),
            },
            {
              name: '@x/breaker execute()',
              library: '@x/breaker',
              role: 'ours',
              async: true,
              fn: () => ours.execute(ok),
            },
            {
              name: 'opossum fire() (timeout: false)',
              library: 'opossum',
              role: 'peer',
              async: true,
              fn: () => opossumClosed.fire(),
            },
            {
              name: 'cockatiel execute()',
              library: 'cockatiel',
              role: 'peer',
              async: true,
              fn: () => cockatielClosed.execute(ok),
            },
            {
              name: 'opossum fire() (defaults: a 10 s timeout per call)',
              library: 'opossum (defaults)',
              role: 'peer',
              async: true,
              fn: () => opossumDefaults.fire(),
            },
          ],
        },
        {
          name: 'open path, one rejected call',
          description: 'one awaited rejection by an open breaker (the function is never called)',
          targets: [
            { vs: 'cockatiel', min: 4 },
            { vs: 'opossum', min: 4 },
          ],
          cases: [
            {
              name: '@x/breaker execute() rejected',
              library: '@x/breaker',
              role: 'ours',
              async: true,
              fn: () => swallow(oursOpen.execute(ok)),
            },
            {
              name: 'opossum fire() rejected',
              library: 'opossum',
              role: 'peer',
              async: true,
              fn: () => swallow(opossumOpen.fire()),
            },
            {
              name: 'cockatiel execute() rejected',
              library: 'cockatiel',
              role: 'peer',
              async: true,
              fn: () => swallow(cockatielOpen.execute(ok)),
            },
          ],
        },
      ],
      close() {
        opossumClosed.shutdown();
        opossumDefaults.shutdown();
        opossumOpen.shutdown();
        isolation.dispose();
      },
    };
  },
};
