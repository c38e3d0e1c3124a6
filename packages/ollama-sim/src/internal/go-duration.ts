// Ollama's keep_alive accepts a number of seconds or a Go duration string, parsed by Go's
// time.ParseDuration; its error texts reach the client verbatim with a 400, so they are reproduced.

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** 2^63 ns: a time.Duration (int64) holds less; ParseDuration calls more an invalid duration. */
const MAX_NS = 2 ** 63;
const LIMIT = 2n ** 63n;

export type DurationResult = { ok: true; ns: number } | { ok: false; error: string };

/**
 * time.ParseDuration: `"10m"`, `"1h30m"`, `"-1m"`, `"0"`, `"1.5s"`; `"10"` is an error. Counted
 * as Go counts, in whole nanoseconds (a fraction through a float, as Go's `leadingFraction`), so
 * the limits are exact: up to `2562047h47m16.854775807s`, and one nanosecond more when negative.
 */
export function parseGoDuration(text: string): DurationResult {
  const quoted = JSON.stringify(text);
  const invalid = { ok: false as const, error: `time: invalid duration ${quoted}` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, ns: 0 };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const intPart = number?.[1] ?? '';
    const fracPart = number?.[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return invalid;
    s = s.slice(number![0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${quoted}` };
    const scale = UNIT_NS[unit];
    if (scale === undefined)
      return {
        ok: false,
        error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`,
      };
    s = s.slice(unit.length);
    let part = BigInt(intPart || '0') * BigInt(scale);
    if (part > LIMIT) return invalid;
    const fraction = (fracPart ?? '').slice(0, 18);
    if (fraction !== '') {
      part += BigInt(Math.trunc(Number(fraction) * (scale / 10 ** fraction.length)));
      if (part > LIMIT) return invalid;
    }
    total += part;
    if (total > LIMIT) return invalid;
  }
  if (!negative && total === LIMIT) return invalid;
  const ns = Number(total);
  return { ok: true, ns: negative ? -ns : ns };
}

/** Milliseconds a keep_alive value stands for; negative means "forever" (Infinity). */
export type KeepAliveResult = { ok: true; ms: number } | { ok: false; error: string };

export function parseKeepAlive(value: unknown, defaultMs: number): KeepAliveResult {
  if (value === undefined || value === null) return { ok: true, ms: defaultMs };
  if (typeof value === 'number') {
    if (value < 0) return { ok: true, ms: Number.POSITIVE_INFINITY };
    // api.Duration: time.Duration(t * float64(time.Second)), so 0.5 is half a second (not 0,
    // which would unload the model) and only the nanoseconds are truncated.
    // Beyond Go's int64 of nanoseconds the conversion is the platform's: saturate to forever, as
    // arm64 does, rather than hold a date no clock can print (it broke /api/ps).
    if (value * 1e9 >= MAX_NS) return { ok: true, ms: Number.POSITIVE_INFINITY };
    return { ok: true, ms: Math.trunc(value * 1e9) / 1e6 };
  }
  if (typeof value === 'string') {
    const parsed = parseGoDuration(value);
    if (!parsed.ok) return parsed;
    return { ok: true, ms: parsed.ns < 0 ? Number.POSITIVE_INFINITY : parsed.ns / 1e6 };
  }
  return { ok: false, error: `Unsupported type: '${goTypeName(value)}'` };
}

/** Go's reflect type name for a decoded JSON value (used in type-mismatch messages). */
export function goTypeName(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}
