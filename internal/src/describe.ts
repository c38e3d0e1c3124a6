import type { MessageParts } from './option-error';
import { quoted } from './quoted';
import { shownJson, shownText } from './shown-json';
import { objectKind } from './value-kind';

/** Longest rendering of a received value in an argument error. */
const MAX_SHOWN = 60;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/**
 * The type word of a received value: `array` and `null` are told apart from `object`. Never
 * throws: `Array.isArray` does on a revoked Proxy, which is then an `object`.
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return 'array';
  } catch {
    // A revoked Proxy: typeof is all that can be read.
  }
  return typeof value;
}

/** `[Function name]`, or `[Function]` when it has none or its `name` cannot be read (a Proxy). */
function functionName(value: Function): string {
  try {
    const name: unknown = value.name;
    return typeof name === 'string' && name !== '' ? `[Function ${shownText(name)}]` : '[Function]';
  } catch {
    return '[Function]';
  }
}

/**
 * Formats a received value for an argument error: `` `0` (number) ``, `` `"10"` (string) ``,
 * `` `[10]` (array) ``. Strings are quoted (`quoted`: control and bidi characters escaped) so
 * `"10"` and `10` read differently; long values are cut. An object JSON would not show is named
 * instead (`objectKind`: `a Uint8Array (4000000 bytes)`, `a Map (size 2)`, `a URL object`,
 * `a Message instance`). Costs the same whatever the value's size: no more of it is read than is
 * shown (a refused 4 MB image took seconds and hundreds of MB when it was written as JSON whole).
 * What looks like a credential is never shown (`hideSecretShapes`): a key pasted into the wrong
 * option, an object holding one. Never throws: an object JSON cannot write (a cycle, a BigInt
 * inside, a getter or a Proxy trap that throws) is written with care (`{"self":[Circular]}`,
 * `{"x":[unreadable]}`), and one that cannot be read at all (a revoked Proxy, a `toJSON` that
 * throws) is `an unreadable object`.
 */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = clip(quoted(shownText(value)));
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = functionName(value);
  else if (typeof value === 'symbol') shown = value.toString();
  else if (typeof value === 'object' && value !== null) {
    const kind = objectKind(value);
    if (kind !== undefined) return kind;
    const json = shownJson(value, MAX_SHOWN);
    if (json === undefined) return `an unreadable ${typeName(value)}`;
    shown = clip(json);
  } else shown = String(value);
  return `\`${shown}\` (${typeName(value)})`;
}

/** The house wording: ``Expected `name` to be <what>, got `value` (type)``. */
export function expected(name: string, what: string, value: unknown): string {
  return expectedParts(name, what, value).join('');
}

/**
 * {@link expected} as message parts for `optionError`: text, path, text... `what` may name other
 * options as parts of its own (`['>= `', 'minTtlMs', '`']`), so they get a parent's prefix too.
 */
export function expectedParts(name: string, what: string | MessageParts, value: unknown): string[] {
  const [first = '', ...rest] = typeof what === 'string' ? [what] : what;
  const parts = ['Expected `', name, `\` to be ${first}`, ...rest];
  parts[parts.length - 1] += `, got ${describe(value)}`;
  return parts;
}
