import { fail } from '@x/internal';
import { costError, type NormalizedLimit, unknownLimit } from '../options';

/**
 * Costs (or deltas) by limit name, as a store sees them: one number per limit, in limit order.
 * Built once per limiter; `ones` is the vector of a call that names no costs.
 *
 * A vector handed out is frozen and never changes (a queued waiter and a Redis batch keep theirs),
 * so the last one is handed out again to a call that names the same costs: a caller sending
 * `{ requests: 1 }` on every call allocates nothing here. Over 100k keys, building and then
 * collecting a fresh array per call cost more than a third of the decision.
 */
export class CostVectors {
  readonly ones: readonly number[];
  readonly #limits: readonly NormalizedLimit[];
  readonly #names: readonly string[];
  readonly #positions = new Map<string, number>();
  /** Where a call's values are read into before they are compared with the last vector. */
  readonly #scratch: number[];
  #lastCosts: readonly number[];
  #lastDeltas: readonly number[];

  constructor(limits: readonly NormalizedLimit[]) {
    this.#limits = limits;
    this.#names = limits.map((l) => l.name);
    for (const [i, l] of limits.entries()) this.#positions.set(l.name, i);
    this.ones = Object.freeze(limits.map(() => 1));
    this.#scratch = limits.map(() => 0);
    this.#lastCosts = this.ones;
    this.#lastDeltas = this.ones;
  }

  /**
   * Costs: each a number from 0 to its limit's capacity (a `TypeError` when not a number, a
   * `RangeError` out of range). Deltas: each a finite number. An unknown limit name is a
   * `TypeError` naming the closest known one; a limit left out is 0.
   */
  vector(costs: unknown, isCost: boolean): readonly number[] {
    if (typeof costs !== 'object' || costs === null) {
      fail(isCost ? 'costs' : 'deltas', 'an object of numbers by limit name', costs);
    }
    // The fast path reads the limits by name and counts the keys; anything it does not vouch
    // for (a bad value, a name no limit has, an inherited or odd property) goes to `#checked`,
    // which decides exactly as the one path did before, errors and their order included.
    const record = costs as Record<string, unknown>;
    const names = this.#names;
    const scratch = this.#scratch;
    const last = isCost ? this.#lastCosts : this.#lastDeltas;
    let named = 0;
    let same = true;
    for (let i = 0; i < names.length; i++) {
      const value = record[names[i]!];
      let v = 0;
      if (value !== undefined) {
        if (typeof value !== 'number') return this.#checked(costs, isCost);
        if (isCost ? !(value >= 0 && value <= this.#limits[i]!.capacity) : !Number.isFinite(value))
          return this.#checked(costs, isCost);
        v = value;
        named++;
      }
      scratch[i] = v;
      if (v !== last[i]) same = false;
    }
    // Counting keys without reading them: a key left `undefined` (allowed) also sends the call
    // to `#checked`, which is right, only slower.
    let keys = 0;
    for (const _ in record) keys++;
    if (keys !== named) return this.#checked(costs, isCost);
    if (same) return last;
    const vector = Object.freeze(scratch.slice());
    if (isCost) this.#lastCosts = vector;
    else this.#lastDeltas = vector;
    return vector;
  }

  #checked(costs: object, isCost: boolean): readonly number[] {
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
    return Object.freeze(vector);
  }
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
