import type { MessageParts } from './option-error';
import { REDACTED } from './redacted';
import { hideSecretShapes, SECRET_HEADER } from './secret-text';

/** Longest rendering of a received value in an argument error. */
const MAX_SHOWN = 60;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/** The type word of a received value: `array` and `null` are told apart from `object`. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * An object's strings as an argument error shows them: a field named like a credential
 * (`apiKey`, `authorization`, `password`) never, any other string without what looks like one.
 */
function shownField(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return key !== '' && SECRET_HEADER.test(key) ? REDACTED : hideSecretShapes(value);
}

/**
 * Formats a received value for an argument error: `` `0` (number) ``, `` `"10"` (string) ``,
 * `` `[10]` (array) ``. Strings are quoted so `"10"` and `10` read differently; long values are cut.
 * What looks like a credential is never shown (`hideSecretShapes`): a key pasted into the wrong
 * option, an object holding one.
 */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = clip(JSON.stringify(hideSecretShapes(value)));
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function')
    shown = value.name ? `[Function ${value.name}]` : '[Function]';
  else if (typeof value === 'symbol') shown = value.toString();
  else if (typeof value === 'object' && value !== null) {
    try {
      shown = JSON.stringify(value, shownField) ?? Object.prototype.toString.call(value);
    } catch {
      // Circular, or a BigInt inside.
      shown = Object.prototype.toString.call(value);
    }
    shown = clip(shown);
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
