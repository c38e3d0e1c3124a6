import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  isRouterClosedError,
  isRouterCloseTimeoutError,
  isRouterError,
  RouterClosedError,
  RouterCloseTimeoutError,
  RouterError,
  type RouterErrorCode,
  type RouterEventMap,
  type RouterResponseEvent,
} from './index';

/** Type-level parts are checked by `tsc` (`pnpm typecheck`); the runtime parts run in vitest. */
describe('router error codes', () => {
  const allFailed = new RouterError({
    group: 'g',
    attempts: [],
    errors: [],
    kind: 'api',
    retryable: false,
    retryAfterMs: undefined,
  });
  const closed = new RouterClosedError();
  const timedOut = new RouterCloseTimeoutError({
    operation: 'close',
    timeoutMs: 1,
    deployments: ['a'],
    state: false,
  });

  it("types each class's code as its own literal, so comparing it with another's does not compile", () => {
    expectTypeOf(allFailed.code).toEqualTypeOf<'X_ROUTER_ALL_FAILED'>();
    expectTypeOf(closed.code).toEqualTypeOf<'X_ROUTER_CLOSED'>();
    expectTypeOf(timedOut.code).toEqualTypeOf<'X_ROUTER_CLOSE_TIMEOUT'>();
    expectTypeOf<
      RouterError['code'] | RouterClosedError['code'] | RouterCloseTimeoutError['code']
    >().toEqualTypeOf<RouterErrorCode>();
    // Never called: only its types are checked.
    const mixedUp = () =>
      // @ts-expect-error: a closed router's error is never the all-failed one
      closed.code === 'X_ROUTER_ALL_FAILED';
    expect(typeof mixedUp).toBe('function');
    expect([allFailed.code, closed.code, timedOut.code]).toEqual([
      'X_ROUTER_ALL_FAILED',
      'X_ROUTER_CLOSED',
      'X_ROUTER_CLOSE_TIMEOUT',
    ]);
  });

  it('isRouterError matches the all-failed error only, as its TSDoc and README say', () => {
    expect([allFailed, closed, timedOut].map((e) => isRouterError(e))).toEqual([
      true,
      false,
      false,
    ]);
    expect(isRouterClosedError(closed)).toBe(true);
    expect(isRouterCloseTimeoutError(timedOut)).toBe(true);
  });
});

describe('RouterEventMap', () => {
  it('has the event names as its keys, so a misspelt one does not compile', () => {
    expectTypeOf<keyof RouterEventMap>().toEqualTypeOf<
      | 'response'
      | 'error'
      | 'fallback'
      | 'cooldown'
      | 'recovered'
      | 'state-unavailable'
      | 'state-recovered'
    >();
    expectTypeOf<RouterEventMap['response']>().toEqualTypeOf<RouterResponseEvent>();
    // @ts-expect-error: no such event
    type Misspelt = RouterEventMap['respnse'];
    expectTypeOf<Misspelt>().not.toBeNever();
  });
});
