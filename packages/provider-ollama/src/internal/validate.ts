/** Formats a value for an argument error: ``Expected `x` to be ..., got `0` (number)``. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  else if (typeof value === 'function') text = 'function';
  else if (typeof value === 'bigint') text = `${value}n`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
    if (text.length > 60) text = `${text.slice(0, 57)}...`;
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${text}\` (${type})`;
}

export function fail(name: string, expected: string, value: unknown, range = false): never {
  const message = `Expected \`${name}\` to be ${expected}, got ${show(value)}`;
  throw range ? new RangeError(message) : new TypeError(message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks an optional finite number within [min, max]. */
export function optionalNumber(
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  integer = false,
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(name, `a finite number >= ${min}`, value);
  }
  if (integer && !Number.isInteger(value)) fail(name, `an integer >= ${min}`, value, true);
  if (value < min || value > max) {
    fail(
      name,
      max === Number.POSITIVE_INFINITY
        ? `a finite number >= ${min}`
        : `a finite number between ${min} and ${max}`,
      value,
      true,
    );
  }
}

export function optionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(name, 'a boolean', value);
}

export function optionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(name, 'a function', value);
}

export function optionalSignal(name: string, value: unknown): void {
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as AbortSignal).aborted !== 'boolean' ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    fail(name, 'an AbortSignal', value);
  }
}

/** Go duration with a unit (`10m`, `1h30m`, `-1s`, `500ms`) or a plain signed integer `-1`. */
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;

export function optionalKeepAlive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(name, 'a finite number of seconds', value);
    return;
  }
  if (typeof value === 'string' && (GO_DURATION.test(value) || value === '0')) return;
  fail(
    name,
    'a number of seconds or a duration string with a unit such as `"10m"` (Ollama rejects unitless strings)',
    value,
  );
}
