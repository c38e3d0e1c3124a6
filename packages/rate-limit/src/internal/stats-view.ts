import { type InspectArgs, inspectStats } from '@x/internal';

/**
 * The base of the in-process limiters: `console.log(limiter)` (`util.inspect`) prints
 * `<label> { ...stats() }`, not the private fields (see `inspectStats`). A base class rather than
 * a method in each class because `rate-limiter.ts` and `token-bucket.ts` are at the 400-line limit.
 */
export abstract class StatsView {
  readonly #label: string;

  constructor(label: string) {
    this.#label = label;
  }

  abstract stats(): unknown;

  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats(this.#label, this, ...args);
  }
}
