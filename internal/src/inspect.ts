import type { InspectOptionsStylized, inspect } from 'node:util';

/**
 * The arguments Node's `util.inspect` (and so `console.log`) passes to an object's
 * `[Symbol.for('nodejs.util.inspect.custom')]` method (that registered symbol is
 * `util.inspect.custom`, so no `node:util` import is needed at run time).
 */
export type InspectArgs = [
  depth: number | null,
  options: InspectOptionsStylized,
  inspect: typeof inspect,
];

/**
 * What an object with a `stats()` snapshot shows to `util.inspect`: `Label { ...stats() }`, not
 * its private fields; `[Label]` when nested deeper than `depth` (as Node prints `[Object]`), and
 * then `stats()` is not called. The snapshot stands in for the object, so it gets the same depth.
 * A class uses it as `[Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs)`, returning
 * `inspectStats('Label', this, ...args)`; the literal key keeps the method out of the `.d.ts`.
 */
export function inspectStats(
  label: string,
  source: { stats(): unknown },
  depth: number | null,
  options: InspectOptionsStylized,
  inspectValue: typeof inspect,
): string {
  if (depth !== null && depth < 0) return options.stylize(`[${label}]`, 'special');
  return `${label} ${inspectValue(source.stats(), { ...options, depth })}`;
}
