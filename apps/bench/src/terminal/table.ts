/** Renders rows as an aligned text table (numbers right-aligned), the way the terminal shows it. */
export function textTable(columns: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => [...(r[i] ?? '')].length)),
  );
  const numeric = columns.map((_, i) =>
    rows.every(
      (r) => typeof r[i] === 'number' || /^[-+~]?[\d.,]+\s*[a-zµ%x/]*$/i.test(String(r[i])),
    ),
  );
  const pad = (s: string, i: number) => {
    const w = widths[i]!;
    const len = [...s].length;
    return numeric[i] ? ' '.repeat(w - len) + s : s + ' '.repeat(w - len);
  };
  const out = [
    columns.map((c, i) => pad(c, i)).join('  '),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((r) => r.map((c, i) => pad(c, i)).join('  ')),
  ];
  return out.join('\n');
}

/** Columns a string takes in a monospace font: East Asian wide characters and emoji take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff);
    w += wide ? 2 : 1;
  }
  return w;
}

/**
 * Renders rows as a GitHub markdown table, numeric columns right-aligned, padded the way the
 * repository's formatter (biome) lays tables out, so a formatted file stays as generated.
 */
export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  const numeric = columns.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every(
        (r) => typeof r[i] === 'number' || /^[-+~]?[\d.,]+\s*[a-zµ%x/]*$/i.test(String(r[i])),
      ),
  );
  const esc = (s: string | number) => String(s).replace(/\|/g, '\\|');
  const head = columns.map(esc);
  const body = rows.map((r) => columns.map((_, i) => esc(r[i] ?? '')));
  const widths = columns.map((_, i) =>
    Math.max(3, displayWidth(head[i]!), ...body.map((r) => displayWidth(r[i]!))),
  );
  const pad = (cell: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - displayWidth(cell));
    return numeric[i] ? gap + cell : cell + gap;
  };
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/**
 * `value` as printed with `digits` decimals, as a number: a check (✓/✗) compares this, so that
 * 29.96 printed `30.0 µs` is not a pass of `< 30 µs`.
 */
export function asPrinted(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** 1234567 -> "1.23M", 12345 -> "12.3k", 12.345 -> "12.3" */
export function formatOps(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Nanoseconds to a short human unit. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** Milliseconds with sensible precision. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/**
 * A ratio printed beside its ✓/✗: with the digits the check read when fewer would contradict it
 * (0.9496 checked against 0.95 prints 0.950x ✗, not 0.95x ✗).
 */
export function formatCheckedRatio(r: { ratio: number; target?: number; met?: boolean }): string {
  const short = formatRatio(r.ratio);
  if (r.target === undefined || r.met === undefined || !Number.isFinite(r.ratio)) return short;
  return Number.parseFloat(short) >= r.target === r.met ? short : `${r.ratio.toFixed(3)}x`;
}

export function formatPct(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}
