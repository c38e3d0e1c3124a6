/**
 * Hand-written SVG charts: no dependency, plain text that renders on GitHub and diffs well.
 * Every chart is self-contained (fonts, colours, legend) and sized 720 x 360 by default.
 */

export const palette = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
];

const stateColours: Record<string, string> = {
  closed: '#16a34a',
  'half-open': '#d97706',
  open: '#dc2626',
};

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Round numbers for axis ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** Like niceTicks, but the last tick is at or above `hi`, so the axis labels its own top. */
export function coveringTicks(hi: number, count = 5): number[] {
  const ticks = niceTicks(0, hi, count);
  const last = ticks[ticks.length - 1] ?? 0;
  if (last < hi && ticks.length > 1) ticks.push(last + (ticks[1]! - ticks[0]!));
  return ticks;
}

function fmt(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return `${+n.toFixed(0)}`;
  if (a >= 1) return `${+n.toFixed(1)}`;
  return `${+n.toPrecision(2)}`;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(width: number, height: number): Frame {
  return { width, height, left: 64, right: width - 16, top: 66, bottom: height - 52 };
}

function document(f: Frame, title: string, body: string[], subtitle?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${f.left}" y="20" font-size="15" font-weight="600" fill="#111827">${escapeXml(title)}</text>`,
    subtitle
      ? `<text x="${f.left}" y="36" font-size="11" fill="#6b7280">${escapeXml(subtitle)}</text>`
      : '',
    ...body,
    '</svg>',
    '',
  ]
    .filter(Boolean)
    .join('\n');
}

function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: string): string[] {
  const out: string[] = [];
  for (const t of ticks) {
    const py = y(t).toFixed(1);
    out.push(
      `<line x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}" stroke="#e5e7eb"/>`,
      `<text x="${f.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#4b5563">${fmt(t)}</text>`,
    );
  }
  const mid = ((f.top + f.bottom) / 2).toFixed(1);
  out.push(
    `<text transform="translate(14 ${mid}) rotate(-90)" text-anchor="middle" fill="#374151">${escapeXml(label)}</text>`,
    `<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}" stroke="#9ca3af"/>`,
    `<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="#9ca3af"/>`,
  );
  return out;
}

function xLabel(f: Frame, label: string): string {
  return `<text x="${((f.left + f.right) / 2).toFixed(1)}" y="${f.height - 10}" text-anchor="middle" fill="#374151">${escapeXml(label)}</text>`;
}

function legend(f: Frame, items: { label: string; colour: string }[]): string[] {
  const out: string[] = [];
  let x = f.right;
  for (const item of [...items].reverse()) {
    const w = 18 + item.label.length * 6.4;
    x -= w;
    out.push(
      `<rect x="${x.toFixed(1)}" y="44" width="10" height="10" fill="${item.colour}"/>`,
      `<text x="${(x + 14).toFixed(1)}" y="53" fill="#374151">${escapeXml(item.label)}</text>`,
    );
    x -= 8;
  }
  return out;
}

export interface HistogramSeries {
  label: string;
  /** Raw values (ms); binned together with the other series on one axis. */
  values: readonly number[];
}

/**
 * Latency distribution: the series share bins (log-spaced when the range spans more than a
 * decade) and are drawn as side-by-side bars, as the percentage of that series' requests.
 */
export function histogramSvg(
  series: HistogramSeries[],
  options: { title: string; subtitle?: string; xLabel?: string; bins?: number; width?: number },
): string {
  const f = frame(options.width ?? 720, 360);
  const all = series.flatMap((s) => [...s.values]).filter((v) => Number.isFinite(v) && v >= 0);
  const body: string[] = [];
  if (all.length === 0) {
    body.push(`<text x="${f.left}" y="${f.top + 20}" fill="#6b7280">no data</text>`);
    return document(f, options.title, body, options.subtitle);
  }
  all.sort((a, b) => a - b);
  const lo = Math.max(all[0]!, 1e-3);
  const hi = all[Math.min(all.length - 1, Math.floor(all.length * 0.995))]!;
  const log = hi / lo > 10;
  const bins = options.bins ?? 30;
  const a = log ? Math.log10(lo) : lo;
  const b = log ? Math.log10(Math.max(hi, lo * 1.0001)) : Math.max(hi, lo + 1e-6);
  const width = (b - a) / bins;
  const binOf = (v: number) => {
    const x = log ? Math.log10(Math.max(v, lo)) : v;
    return Math.min(bins - 1, Math.max(0, Math.floor((x - a) / width)));
  };
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) if (Number.isFinite(v)) c[binOf(v)]!++;
    const n = s.values.length || 1;
    return c.map((k) => (k / n) * 100);
  });
  const maxPct = Math.max(1, ...counts.flat());
  const ticks = coveringTicks(maxPct, 4);
  const top = Math.max(maxPct, ticks[ticks.length - 1] ?? maxPct);
  const y = (v: number) => f.bottom - (v / top) * (f.bottom - f.top);
  body.push(...yAxis(f, ticks, y, '% of requests'));
  const slot = (f.right - f.left) / bins;
  const barW = Math.max(1, (slot - 2) / series.length);
  counts.forEach((c, si) => {
    const colour = palette[si % palette.length]!;
    c.forEach((pct, i) => {
      if (pct <= 0) return;
      const x = f.left + i * slot + 1 + si * barW;
      body.push(
        `<rect x="${x.toFixed(1)}" y="${y(pct).toFixed(1)}" width="${barW.toFixed(1)}" height="${(f.bottom - y(pct)).toFixed(1)}" fill="${colour}" fill-opacity="0.85"/>`,
      );
    });
  });
  // x ticks at every 5th bin edge
  for (let i = 0; i <= bins; i += 5) {
    const edge = log ? 10 ** (a + i * width) : a + i * width;
    const px = (f.left + i * slot).toFixed(1);
    body.push(
      `<line x1="${px}" x2="${px}" y1="${f.bottom}" y2="${f.bottom + 4}" stroke="#9ca3af"/>`,
      `<text x="${px}" y="${f.bottom + 16}" text-anchor="middle" fill="#4b5563">${fmt(edge)}</text>`,
    );
  }
  body.push(xLabel(f, `${options.xLabel ?? 'latency (ms)'}${log ? ', log scale' : ''}`));
  body.push(
    ...legend(
      f,
      series.map((s, i) => ({ label: s.label, colour: palette[i % palette.length]! })),
    ),
  );
  return document(f, options.title, body, options.subtitle);
}

export interface LinePoint {
  x: number;
  y: number;
}

export interface LineSeries {
  label: string;
  points: LinePoint[];
}

/**
 * Lines with markers, e.g. throughput against concurrency. `logX` spaces x by log2 (concurrency
 * levels double); the x ticks are the points' own x values.
 */
export function lineChartSvg(
  series: LineSeries[],
  options: {
    title: string;
    subtitle?: string;
    xLabel: string;
    yLabel: string;
    logX?: boolean;
    width?: number;
    /** A vertical marker, e.g. the saturation point. */
    marker?: { x: number; label: string };
  },
): string {
  const f = frame(options.width ?? 720, 360);
  const body: string[] = [];
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) {
    body.push(`<text x="${f.left}" y="${f.top + 20}" fill="#6b7280">no data</text>`);
    return document(f, options.title, body, options.subtitle);
  }
  const tx = (v: number) => (options.logX ? Math.log2(Math.max(v, 1e-9)) : v);
  const x0 = tx(xs[0]!);
  const x1 = tx(xs[xs.length - 1]!);
  const pad = 18;
  const x = (v: number) =>
    x1 === x0
      ? (f.left + f.right) / 2
      : f.left + pad + ((tx(v) - x0) / (x1 - x0)) * (f.right - f.left - 2 * pad);
  const ticks = coveringTicks(Math.max(...ys) * 1.05, 5);
  const top = Math.max(ticks[ticks.length - 1] ?? 1, Math.max(...ys) * 1.05);
  const y = (v: number) => f.bottom - (v / top) * (f.bottom - f.top);
  body.push(...yAxis(f, ticks, y, options.yLabel));
  for (const v of xs) {
    const px = x(v).toFixed(1);
    body.push(
      `<line x1="${px}" x2="${px}" y1="${f.bottom}" y2="${f.bottom + 4}" stroke="#9ca3af"/>`,
      `<text x="${px}" y="${f.bottom + 16}" text-anchor="middle" fill="#4b5563">${fmt(v)}</text>`,
    );
  }
  if (options.marker) {
    const px = x(options.marker.x).toFixed(1);
    body.push(
      `<line x1="${px}" x2="${px}" y1="${f.top}" y2="${f.bottom}" stroke="#6b7280" stroke-dasharray="4 3"/>`,
      `<text x="${(x(options.marker.x) + 4).toFixed(1)}" y="${f.bottom - 8}" fill="#374151">${escapeXml(options.marker.label)}</text>`,
    );
  }
  series.forEach((s, si) => {
    const colour = palette[si % palette.length]!;
    const pts = s.points
      .filter((p) => Number.isFinite(p.y))
      .sort((a, b) => a.x - b.x)
      .map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
    if (pts.length > 1) {
      body.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      );
    }
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      body.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"/>`);
    }
  });
  body.push(xLabel(f, options.xLabel));
  body.push(
    ...legend(
      f,
      series.map((s, i) => ({ label: s.label, colour: palette[i % palette.length]! })),
    ),
  );
  return document(f, options.title, body, options.subtitle);
}

export interface StateSpan {
  from: number;
  to: number;
  state: string;
}

export interface OutcomeBucket {
  t: number;
  /** counts per outcome label */
  counts: Record<string, number>;
}

/**
 * Breaker state timeline: a band of coloured state spans on top, and below it stacked bars of
 * request outcomes (passed, failed, rejected by the breaker) per time bucket, sharing the time
 * axis; optional shaded intervals mark when the fault was injected.
 */
export function timelineSvg(
  spans: StateSpan[],
  buckets: OutcomeBucket[],
  options: {
    title: string;
    subtitle?: string;
    durationMs: number;
    bucketMs: number;
    outcomeColours: Record<string, string>;
    /** Colours of the states in the band (default: a breaker's closed, half-open, open). */
    stateColours?: Record<string, string>;
    shaded?: { from: number; to: number; label: string }[];
    width?: number;
  },
): string {
  const f = frame(options.width ?? 720, 400);
  const states = options.stateColours ?? stateColours;
  const body: string[] = [];
  const band = { top: f.top + 8, bottom: f.top + 34 };
  const bars = { top: band.bottom + 18, bottom: f.bottom };
  const x = (t: number) => f.left + (t / Math.max(1, options.durationMs)) * (f.right - f.left);
  for (const s of options.shaded ?? []) {
    body.push(
      `<rect x="${x(s.from).toFixed(1)}" y="${band.top}" width="${Math.max(1, x(s.to) - x(s.from)).toFixed(1)}" height="${bars.bottom - band.top}" fill="#fef3c7" fill-opacity="0.6"/>`,
      `<text x="${(x(s.from) + 3).toFixed(1)}" y="${bars.top + 12}" fill="#92400e" font-size="11">${escapeXml(s.label)}</text>`,
    );
  }
  body.push(
    `<text x="${f.left - 6}" y="${(band.top + band.bottom) / 2}" text-anchor="end" dominant-baseline="middle" fill="#374151">state</text>`,
  );
  for (const s of spans) {
    body.push(
      `<rect x="${x(s.from).toFixed(1)}" y="${band.top}" width="${Math.max(1, x(s.to) - x(s.from)).toFixed(1)}" height="${band.bottom - band.top}" fill="${states[s.state] ?? '#9ca3af'}"/>`,
    );
  }
  const totals = buckets.map((b) => Object.values(b.counts).reduce((a, c) => a + c, 0));
  const maxTotal = Math.max(1, ...totals);
  const ticks = coveringTicks(maxTotal, 4);
  const top = Math.max(maxTotal, ticks[ticks.length - 1] ?? maxTotal);
  const y = (v: number) => bars.bottom - (v / top) * (bars.bottom - bars.top);
  for (const t of ticks) {
    const py = y(t).toFixed(1);
    body.push(
      `<line x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}" stroke="#e5e7eb"/>`,
      `<text x="${f.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#4b5563">${fmt(t)}</text>`,
    );
  }
  const outcomes = Object.keys(options.outcomeColours);
  const w = Math.max(1, x(options.bucketMs) - x(0) - 1);
  for (const b of buckets) {
    let acc = 0;
    for (const o of outcomes) {
      const n = b.counts[o] ?? 0;
      if (n <= 0) continue;
      body.push(
        `<rect x="${x(b.t).toFixed(1)}" y="${y(acc + n).toFixed(1)}" width="${w.toFixed(1)}" height="${(y(acc) - y(acc + n)).toFixed(1)}" fill="${options.outcomeColours[o]}"/>`,
      );
      acc += n;
    }
  }
  const mid = ((bars.top + bars.bottom) / 2).toFixed(1);
  body.push(
    `<text transform="translate(14 ${mid}) rotate(-90)" text-anchor="middle" fill="#374151">requests per ${options.bucketMs} ms</text>`,
    `<line x1="${f.left}" x2="${f.right}" y1="${bars.bottom}" y2="${bars.bottom}" stroke="#9ca3af"/>`,
  );
  for (const t of niceTicks(0, options.durationMs / 1000, 8)) {
    const px = x(t * 1000).toFixed(1);
    body.push(
      `<line x1="${px}" x2="${px}" y1="${bars.bottom}" y2="${bars.bottom + 4}" stroke="#9ca3af"/>`,
      `<text x="${px}" y="${bars.bottom + 16}" text-anchor="middle" fill="#4b5563">${fmt(t)}</text>`,
    );
  }
  body.push(xLabel(f, 'time (s)'));
  body.push(
    ...legend(f, [
      ...Object.entries(states).map(([label, colour]) => ({ label, colour })),
      ...outcomes.map((o) => ({ label: o, colour: options.outcomeColours[o]! })),
    ]),
  );
  return document(f, options.title, body, options.subtitle);
}
