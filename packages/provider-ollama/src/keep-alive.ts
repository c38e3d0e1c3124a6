// A keep-alive as Ollama reads it: a number of seconds or a Go duration string, within Go's
// `time.Duration` (an int64 of nanoseconds).
import { fail } from '@x/internal';

/**
 * What Go's `time.ParseDuration` accepts: a duration with a unit (`10m`, `1h30m`, `-1s`, `500ms`),
 * or a zero without one, signed or not (`0`, `-0`, `+0`).
 */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/** One number and unit of a Go duration (`1.5h`): the digits before and after the point. */
const GO_DURATION_PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g;

/** Nanoseconds in each unit of a Go duration. */
const GO_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** 2^63: Go's `time.Duration` is an int64 of nanoseconds, `-2^63` to `2^63 - 1` (about 292 years). */
const INT64_LIMIT = 2n ** 63n;

/**
 * True when `time.ParseDuration` reads `text` (already matched by {@link GO_DURATION}) without
 * overflow: Ollama answers 400 `time: invalid duration` past an int64 of nanoseconds. Counted
 * exactly, as Go counts (a fraction's nanoseconds rounded down).
 */
function durationFits(text: string): boolean {
  let total = 0n;
  for (const [, whole = '', fraction = '', unit = 's'] of text.matchAll(GO_DURATION_PART)) {
    const ns = GO_UNITS[unit] as bigint;
    const part =
      BigInt(whole || '0') * ns + (BigInt(`0${fraction}`) * ns) / 10n ** BigInt(fraction.length);
    if (part > INT64_LIMIT) return false;
    total += part;
  }
  return text.startsWith('-') ? total <= INT64_LIMIT : total < INT64_LIMIT;
}

/** Seconds whose nanoseconds (`seconds * 1e9`, as Ollama counts them) fit a Go `time.Duration`. */
const MAX_KEEP_ALIVE_SECONDS = Number(INT64_LIMIT) / 1e9;

/**
 * A keep-alive: a number of seconds or a Go duration. NaN, an infinity, a duration past Go's
 * `time.Duration` (about 292 years; Ollama answers 400 or reads garbage) or a string Go cannot
 * read is a `RangeError` (the type is right, the value is not), any other type a `TypeError`.
 * A negative one is kept forever, as Ollama reads it.
 */
export function optionalKeepAlive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(name, 'a finite number of seconds', value, true);
    // Go converts `seconds * 1e9` to an int64: past it the result is undefined.
    if (value * 1e9 >= Number(INT64_LIMIT)) {
      fail(
        name,
        `a number of seconds below ${MAX_KEEP_ALIVE_SECONDS} (Go's longest duration, about 292 years; a negative one keeps the model loaded)`,
        value,
        true,
      );
    }
    return;
  }
  if (typeof value === 'string' && GO_DURATION.test(value)) {
    if (durationFits(value)) return;
    fail(
      name,
      "a duration of at most 2562047h47m16.854775807s (Go's longest, about 292 years; Ollama answers `time: invalid duration`)",
      value,
      true,
    );
  }
  fail(
    name,
    'a number of seconds or a duration string with a unit such as `"10m"` (Ollama rejects unitless strings)',
    value,
    typeof value === 'string',
  );
}
