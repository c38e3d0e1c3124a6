// `stats().failuresByCode` keys failures by their error's code: a provider not built on
// @x/provider-core may give its errors any code (one per request id), which grew the stats and
// the metrics without bound; a code named like an Object property was miscounted.
import { describe, expect, it } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import { createRouter } from './router';
import { MAX_FAILURE_CODES } from './stats';

/** A router over one deployment: each failure of its provider is the call's. */
function alone() {
  const a = fakeProvider('a');
  const router = createRouter({
    deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
  });
  return { a, router };
}

/**
 * A request error of a provider of one's own, with the code it chose: fatal, so it reaches the
 * caller, and `failuresByCode`, under its own code (a failure that falls back is counted as
 * `X_ROUTER_ALL_FAILED`).
 */
function ownError(code: string): Error {
  return Object.assign(new TypeError(`refused: ${code}`), { code });
}

describe('failuresByCode', () => {
  it('counts at most MAX_FAILURE_CODES codes by name, the rest under other', async () => {
    const { a, router } = alone();
    const calls = MAX_FAILURE_CODES + 10;
    a.script = Array.from({ length: calls }, (_, i) => ownError(`E_REQUEST_${i}`));
    for (let i = 0; i < calls; i++) {
      await router
        .complete({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] })
        .catch(() => {});
    }
    const { failuresByCode, failures } = router.stats();
    expect(failures).toBe(calls);
    expect(Object.keys(failuresByCode)).toHaveLength(MAX_FAILURE_CODES + 1);
    expect(failuresByCode.other).toBe(10);
    expect(Object.values(failuresByCode).reduce((x, y) => x + y, 0)).toBe(calls);
    expect(router.toPrometheus().match(/x_router_failures_total\{/g) ?? []).toHaveLength(
      MAX_FAILURE_CODES + 1,
    );
  });

  it('counts a code named __proto__ or constructor like any other', async () => {
    const { a, router } = alone();
    a.script = [ownError('__proto__'), ownError('constructor'), ownError('__proto__')];
    for (let i = 0; i < 3; i++) {
      await router
        .complete({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] })
        .catch(() => {});
    }
    expect(JSON.parse(JSON.stringify(router.stats().failuresByCode))).toEqual(
      JSON.parse('{"__proto__": 2, "constructor": 1}'),
    );
  });
});
