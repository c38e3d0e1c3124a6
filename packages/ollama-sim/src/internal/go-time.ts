// Go prints time.Time as RFC 3339 with up to nine fractional digits, trailing zeros trimmed, and
// either `Z` (UTC) or a `+hh:mm` offset. JavaScript dates stop at milliseconds, so the sub-millisecond
// digits come from the fractional part of performance.now().

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  let digits = String(nanos).padStart(9, '0');
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  return `.${digits}`;
}

function subMillisecondNanos(): number {
  const now = performance.now();
  return Math.floor((now - Math.floor(now)) * 1e6);
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';
let lastWhole = Number.NaN;
let lastExtra = 0;

/** `created_at`: UTC, e.g. `2026-08-24T09:15:02.44446383Z`. */
export function goTimeUtc(ms: number, extraNanos?: number): string {
  const whole = Math.floor(ms);
  let extra = extraNanos;
  if (extra === undefined) {
    // performance.now()'s fraction does not turn over with Date.now()'s millisecond: two stamps in
    // one millisecond could go backwards. Within a millisecond, a stamp is never before the last.
    extra = subMillisecondNanos();
    if (whole === lastWhole && extra < lastExtra) extra = lastExtra;
    lastWhole = whole;
    lastExtra = extra;
  }
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    // Formatting a Date is the costly part; streams stamp many chunks within one second.
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const nanos = (whole - second * 1000) * 1e6 + extra;
  return `${cachedPrefix}${fraction(nanos)}Z`;
}

/**
 * `modified_at` / `expires_at`: the server's local zone, e.g. `2026-08-21T09:03:11.804122907-07:00`
 * (`Z` when the local zone is UTC, as Go prints it).
 */
export function goTimeLocal(ms: number, extraNanos = 0, offsetMinutes?: number): string {
  const whole = Math.floor(ms);
  const date = new Date(whole);
  const offset = offsetMinutes ?? -date.getTimezoneOffset();
  const shifted = new Date(whole + offset * 60_000);
  const iso = shifted.toISOString();
  const nanos = (whole - Math.floor(whole / 1000) * 1000) * 1e6 + extraNanos;
  let zone = 'Z';
  if (offset !== 0) {
    const abs = Math.abs(offset);
    zone = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }
  return `${iso.slice(0, 19)}${fraction(nanos)}${zone}`;
}
