import { describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import type { StrategyName } from './options';
import { createRouter } from './router';

/** A router over two deployments whose draws come from `random`. */
function routerWith(random: () => number, strategy: StrategyName = 'weighted-random') {
  const a = fakeProvider('a');
  const b = fakeProvider('b');
  return createRouter({
    strategy,
    random,
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'm' },
      { id: 'b', group: 'chat', provider: b, model: 'm', weight: 9 },
    ],
  });
}

/**
 * A `random` outside [0, 1) skewed every draw silently (one scaled to [0, 100) sent the 1:9 split
 * 32/68, NaN or 1 always picked the first deployment): each draw is checked, and a bad one fails
 * the call with an error that names `random`.
 */
describe('the random option', () => {
  it.each([
    ['scaled to [0, 100)', () => 42.5, '42.5'],
    ['1', () => 1, '1'],
    ['NaN', () => Number.NaN, 'NaN'],
    ['negative', () => -0.25, '-0.25'],
    ['Infinity', () => Number.POSITIVE_INFINITY, 'Infinity'],
  ])('fails the call with a RangeError naming random() for a draw %s', async (_, random, shown) => {
    const router = routerWith(random);
    const call = router.complete({ model: 'chat', messages: HI });
    await expect(call).rejects.toThrow(RangeError);
    await expect(call).rejects.toThrow(
      `\`random()\` to be a number in [0, 1), got \`${shown}\` (number)`,
    );
    expect(router.stats().inFlight).toBe(0);
    await router.close();
  });

  it('fails the call with a TypeError for a draw that is no number', async () => {
    const router = routerWith(() => '0.5' as unknown as number);
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toThrow(TypeError);
    await router.close();
  });

  it('checks the draw of lowest-latency exploration and of a stream too', async () => {
    const router = routerWith(() => 1, 'lowest-latency');
    const stream = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(stream.next()).rejects.toThrow(RangeError);
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toThrow(RangeError);
    await router.close();
  });

  it('routes as before on draws in [0, 1), 0 included', async () => {
    const draws = [0, 0.5, 0.999_999];
    let i = 0;
    const router = routerWith(() => draws[i++ % draws.length]!);
    for (let n = 0; n < 6; n++) {
      const { route } = await router.complete({ model: 'chat', messages: HI });
      expect(['a', 'b']).toContain(route.deployment);
    }
    await router.close();
  });
});
