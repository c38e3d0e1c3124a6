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

/** Renders rows as a GitHub markdown table; numeric columns right-aligned. */
export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  const numeric = columns.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every(
        (r) => typeof r[i] === 'number' || /^[-+~]?[\d.,]+\s*[a-zµ%x/]*$/i.test(String(r[i])),
      ),
  );
  const esc = (s: string | number) => String(s).replace(/\|/g, '\\|');
  return [
    `| ${columns.map(esc).join(' | ')} |`,
    `|${columns.map((_, i) => (numeric[i] ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
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

export function formatPct(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}
