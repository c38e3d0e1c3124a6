import { fail } from '@x/internal';
import { costError, type NormalizedLimit, unknownLimit } from '../options';

/**
 * Costs (or deltas) by limit name, as a store sees them: one number per limit, in limit order.
 * Built once per limiter; `ones` is the vector of a call that names no costs.
 */
export class CostVectors {
  readonly ones: readonly number[];
  readonly #limits: readonly NormalizedLimit[];
  readonly #positions = new Map<string, number>();

  constructor(limits: readonly NormalizedLimit[]) {
    this.#limits = limits;
    for (const [i, l] of limits.entries()) this.#positions.set(l.name, i);
    this.ones = Object.freeze(limits.map(() => 1));
  }

  /** A zero vector, to add costs into (a loop: `map` with a closure cost more than the decision). */
  zeros(): number[] {
    const n = this.ones.length;
    const vector = new Array<number>(n);
    for (let i = 0; i < n; i++) vector[i] = 0;
    return vector;
  }

  /**
   * Costs: each a number from 0 to its limit's capacity (a `TypeError` when not a number, a
   * `RangeError` out of range). Deltas: each a finite number. An unknown limit name is a
   * `TypeError` naming the closest known one; a limit left out is 0.
   */
  vector(costs: unknown, isCost: boolean): number[] {
    const what = isCost ? 'costs' : 'deltas';
    if (typeof costs !== 'object' || costs === null) {
      fail(what, 'an object of numbers by limit name', costs);
    }
    const vector = this.zeros();
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
