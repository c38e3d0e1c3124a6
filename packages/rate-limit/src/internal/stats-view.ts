import { type InspectArgs, inspectStats } from '@x/internal';

/**
 * The base of the in-process limiters: `console.log(limiter)` (`util.inspect`) prints
 * `<label> { ...stats() }`, not the private fields (see `inspectStats`): one copy for the three
 * limiters rather than a method in each class.
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
