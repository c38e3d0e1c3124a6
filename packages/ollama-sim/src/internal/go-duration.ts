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

export type DurationResult = { ok: true; ns: number } | { ok: false; error: string };

/** time.ParseDuration: `"10m"`, `"1h30m"`, `"-1m"`, `"0"`, `"1.5s"`; `"10"` is an error. */
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
  let total = 0;
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
    total += Number(`${intPart || '0'}.${fracPart ?? ''}0`) * scale;
  }
  return { ok: true, ns: negative ? -total : total };
}

/** Milliseconds a keep_alive value stands for; negative means "forever" (Infinity). */
export type KeepAliveResult = { ok: true; ms: number } | { ok: false; error: string };

export function parseKeepAlive(value: unknown, defaultMs: number): KeepAliveResult {
  if (value === undefined || value === null) return { ok: true, ms: defaultMs };
  if (typeof value === 'number') {
    if (value < 0) return { ok: true, ms: Number.POSITIVE_INFINITY };
    return { ok: true, ms: Math.trunc(value) * 1000 };
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
