import { fail, isPlainObject } from '@x/internal';
import { costError, type NormalizedLimit, unknownLimit } from '../options';

/**
 * Costs (or deltas) by limit name, as a store sees them: one number per limit, in limit order.
 * Built once per limiter; `ones` is the vector of a call that names no costs.
 *
 * A vector handed out never changes (a queued waiter and a Redis batch keep theirs), so a call
 * naming the same costs as the call before gets that call's vector again: a caller sending
 * `{ requests: 1 }` every time allocates nothing here and validates nothing twice.
 *
 * Vectors are `readonly` to the type checker but not frozen: V8's optimising compiler does not
 * inline an indexed read of a frozen array. Counted under valgrind's callgrind, apps/bench's
 * 100k-key limiter (refilled at 1/s) in a loop slow enough that keys fill up, are swept and come
 * back, the memory store's reads of `costs[i]` went through the generic keyed-load stub: 1,860
 * instructions a decision with frozen vectors, 1,680 without. Nothing writes to a vector.
 */
export class CostVectors {
  readonly ones: readonly number[];
  readonly #limits: readonly NormalizedLimit[];
  readonly #names: readonly string[];
  readonly #positions = new Map<string, number>();
  #lastCosts: readonly number[];
  #lastDeltas: readonly number[];

  constructor(limits: readonly NormalizedLimit[]) {
    this.#limits = limits;
    this.#names = limits.map((l) => l.name);
    for (const [i, l] of limits.entries()) this.#positions.set(l.name, i);
    this.ones = limits.map(() => 1);
    this.#lastCosts = this.ones;
    this.#lastDeltas = this.ones;
  }

  /**
   * Costs: each a number from 0 to its limit's capacity (a `TypeError` when not a number, a
   * `RangeError` out of range). Deltas: each a finite number. An unknown limit name is a
   * `TypeError` naming the closest known one; a limit left out is 0.
   */
  vector(costs: unknown, isCost: boolean): readonly number[] {
    // A plain object, as every options object of the house: an array or a Map has none of the
    // limit names as keys and would read as costs of 0 (an admission that takes nothing). An
    // object literal is told by the `constructor` it inherits, read at this site so that its
    // inline cache sees only the callers' costs: `isPlainObject` alone (a call of
    // `Object.getPrototypeOf` on an object whose shape the compiler does not know) timed 5-20 ns
    // more a decision, beside the build without it in one process; this, within the noise.
    // Anything else (no prototype, an own `constructor`) gets the full check.
    // `expectAcquireOptions` checks per-call options the same way.
    if (
      typeof costs !== 'object' ||
      costs === null ||
      (costs.constructor === Object ? Array.isArray(costs) : !isPlainObject(costs))
    ) {
      fail(isCost ? 'costs' : 'deltas', 'an object of numbers by limit name', costs);
    }
    // The same numbers as the last vector, which was checked when it was built, and no other
    // key (counted, not read: a key left `undefined` also misses, which is only slower).
    const record = costs as Record<string, unknown>;
    const names = this.#names;
    const last = isCost ? this.#lastCosts : this.#lastDeltas;
    let named = 0;
    let same = true;
    for (let i = 0; i < names.length; i++) {
      const value = record[names[i]!];
      if (value !== undefined) named++;
      if ((value === undefined ? 0 : value) !== last[i]) same = false;
    }
    if (same) {
      let keys = 0;
      for (const _ in record) keys++;
      if (keys === named) return last;
    }
    const vector = this.#build(costs, isCost);
    if (isCost) this.#lastCosts = vector;
    else this.#lastDeltas = vector;
    return vector;
  }

  #build(costs: object, isCost: boolean): readonly number[] {
    const what = isCost ? 'costs' : 'deltas';
    const vector = this.#limits.map(() => 0);
    for (const name in costs) {
      const value = (costs as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const i = this.#positions.get(name);
      if (i === undefined) unknownLimit(what, name, [...this.#positions.keys()]);
      const capacity = this.#limits[i]!.capacity;
      if (isCost) {
        if (!(typeof value === 'number' && value >= 0 && value <= capacity)) {
          throw costError(`costs.${name}`, value, capacity);
        }
      } else if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail(`deltas.${name}`, 'a finite number', value, typeof value === 'number');
      }
      vector[i] = value;
    }
    return vector;
  }
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
