/**
 * The live page, one self-contained HTML document: inline CSS, inline script, charts drawn as SVG
 * in the browser from server-sent frames. Nothing is fetched from elsewhere (no CDN, no font).
 */

const STYLE = `
:root { color-scheme: dark; --bg: #0f1216; --card: #171b21; --line: #262c35; --text: #d8dee9;
  --dim: #7d8794; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --a: #58a6ff; --b: #bc8cff; --c: #39c5cf; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; align-items: baseline; gap: 16px; padding: 16px 24px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
header .sub { color: var(--dim); }
#phase { margin-left: auto; padding: 2px 10px; border-radius: 10px; font-weight: 600; background: var(--line); }
#phase.outage { background: var(--bad); color: #fff; }
main { padding: 16px 24px; display: grid; gap: 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile .k { color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .v { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card h2 { margin: 0 0 6px; font-size: 13px; font-weight: 600; }
.card h2 span { color: var(--dim); font-weight: 400; }
svg { width: 100%; height: 150px; display: block; }
svg text { fill: var(--dim); font-size: 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: var(--dim); margin-top: 4px; }
.legend i { display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
.closed { color: var(--ok); } .half-open { color: var(--warn); } .open { color: var(--bad); }
footer { color: var(--dim); padding: 0 24px 16px; font-size: 12px; }
`;

/* The browser side: keeps the frames (`timeline`; `frames` is the window's own), redraws on each. Plain ES2020, no library. */
const SCRIPT = `
const KEEP = 240;
const timeline = [];
const COLORS = ['#58a6ff', '#bc8cff', '#39c5cf', '#d29922', '#f85149', '#3fb950', '#ff7b72'];
const STATE_COLOR = { closed: '#3fb950', 'half-open': '#d29922', open: '#f85149', none: '#262c35' };
const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 0) => n === null || n === undefined || !isFinite(n) ? '–' : n.toFixed(digits);

/* At least 20 s on the time axis, up to the frames kept; the newest frame on the right edge. */
function span() { return Math.max(40, Math.min(KEEP, timeline.length)); }
function xAt(i, L, W) { return L + ((i + span() - timeline.length) / Math.max(1, span() - 1)) * (W - L - 4); }
function size(svg, H) {
  const W = Math.max(200, Math.round(svg.clientWidth || 600));
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  return W;
}
function timeAxis(L, W, y) {
  const secs = Math.round(span() / 2);
  return '<text x="' + L + '" y="' + y + '">-' + secs + ' s</text><text x="' + (W - 24) + '" y="' + y + '">now</text>';
}

function chart(id, series, opts = {}) {
  const svg = $(id);
  const H = 150, L = 44, B = 14;
  const W = size(svg, H);
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && isFinite(v));
  const max = opts.max ?? Math.max(1e-9, ...values) * 1.1;
  const y = (v) => 4 + (1 - Math.min(v, max) / max) * (H - B - 10);
  let out = '<line x1="' + L + '" x2="' + W + '" y1="' + (H - B - 6) + '" y2="' + (H - B - 6) + '" stroke="#262c35"/>';
  out += '<text x="2" y="12">' + (opts.format ? opts.format(max) : fmt(max, max < 10 ? 1 : 0)) + '</text><text x="2" y="' + (H - B - 6) + '">0</text>';
  out += timeAxis(L, W, H - 2);
  for (const s of series) {
    let d = '', pen = false;
    s.values.forEach((v, i) => {
      if (v === null || !isFinite(v)) { pen = false; return; }
      d += (pen ? 'L' : 'M') + xAt(i, L, W).toFixed(1) + ' ' + y(v).toFixed(1);
      pen = true;
    });
    out += '<path d="' + d + '" fill="none" stroke="' + s.color + '" stroke-width="1.6" stroke-linejoin="round"/>';
  }
  svg.innerHTML = out;
  /* Built as nodes, not HTML: a series name (an error code) is text, whatever it holds. */
  $(id + '-legend').replaceChildren(...series.map((s) => {
    const last = s.values[s.values.length - 1];
    const swatch = document.createElement('i');
    swatch.style.background = s.color;
    const item = document.createElement('span');
    item.append(swatch, s.name + ' ' + (opts.format ? opts.format(last) : fmt(last, 1)));
    return item;
  }));
}

function breakerStrip() {
  const svg = $('breaker');
  const H = 44, L = 44;
  const W = size(svg, H);
  const w = (W - L - 4) / Math.max(1, span() - 1);
  const bar = (i, y, h, fill, extra) => '<rect x="' + xAt(i, L, W).toFixed(1) + '" y="' + y + '" width="' + (w + 0.6).toFixed(1) + '" height="' + h + '" fill="' + fill + '" shape-rendering="crispEdges"' + (extra || '') + '/>';
  svg.innerHTML = timeline.map((f, i) => bar(i, 2, 20, STATE_COLOR[f.breaker] || '#262c35')).join('')
    + timeline.map((f, i) => f.phase === 'outage' ? bar(i, 25, 5, '#f85149', ' opacity=".6"') : '').join('')
    + '<text x="2" y="16">state</text><text x="2" y="31">outage</text>' + timeAxis(L, W, H - 2);
}

function render() {
  const last = timeline[timeline.length - 1];
  if (!last) return;
  const col = (k) => timeline.map((f) => f[k]);
  $('phase').textContent = last.phase === 'outage' ? 'outage injected' : 'normal';
  $('phase').className = last.phase;
  $('stat-requests').textContent = last.totals.requests;
  $('stat-rps').textContent = fmt(last.requestsPerSec, 1);
  const failing = Object.values(last.errorsPerSec).reduce((a, b) => a + b, 0);
  $('stat-success').textContent = last.requestsPerSec > 0 ? fmt(Math.max(0, 100 * (1 - failing / last.requestsPerSec)), 1) + '%' : '–';
  $('stat-inflight').textContent = last.inFlight;
  $('stat-hit').textContent = last.cacheHitRate === null ? '–' : fmt(100 * last.cacheHitRate) + '%';
  $('stat-tps').textContent = fmt(last.tokensPerSec);
  $('stat-p99').textContent = last.p99 === null ? '–' : fmt(last.p99) + ' ms';
  const b = $('stat-breaker');
  b.textContent = last.breaker;
  b.className = 'v ' + last.breaker;
  breakerStrip();
  chart('traffic', [
    { name: 'requests/s', color: COLORS[0], values: col('requestsPerSec') },
    { name: 'in flight', color: COLORS[1], values: col('inFlight') },
  ]);
  chart('limiter', [
    { name: 'admitted/s', color: COLORS[0], values: col('admittedPerSec') },
    { name: 'queued', color: COLORS[3], values: col('queued') },
  ]);
  chart('cache', [{ name: 'hit rate', color: COLORS[2], values: timeline.map((f) => f.cacheHitRate === null ? null : 100 * f.cacheHitRate) }],
    { max: 100, format: (v) => fmt(v) + '%' });
  chart('latency', [
    { name: 'p50', color: COLORS[0], values: col('p50') },
    { name: 'p90', color: COLORS[1], values: col('p90') },
    { name: 'p99', color: COLORS[4], values: col('p99') },
  ], { format: (v) => fmt(v) + ' ms' });
  chart('tokens', [{ name: 'tokens/s', color: COLORS[5], values: col('tokensPerSec') }]);
  const codes = [...new Set(timeline.flatMap((f) => Object.keys(f.errorsPerSec)))].sort();
  chart('errors', codes.length ? codes.map((code, i) => ({ name: code, color: COLORS[(i + 3) % COLORS.length], values: timeline.map((f) => f.errorsPerSec[code] ?? 0) }))
    : [{ name: 'none', color: COLORS[5], values: timeline.map(() => 0) }]);
}

const events = new EventSource('/events');
events.addEventListener('history', (e) => { timeline.splice(0, timeline.length, ...JSON.parse(e.data)); render(); });
addEventListener('resize', render);
events.addEventListener('frame', (e) => { timeline.push(JSON.parse(e.data)); if (timeline.length > KEEP) timeline.shift(); render(); });
`;

function card(id: string, title: string, note: string): string {
  return `<section class="card"><h2>${title} <span>${note}</span></h2><svg id="${id}" viewBox="0 0 600 150"></svg><div class="legend" id="${id}-legend"></div></section>`;
}

function tile(id: string, label: string): string {
  return `<div class="tile"><div class="k">${label}</div><div class="v" id="${id}">–</div></div>`;
}

/** The dashboard page; `target` (the server under load) must already be HTML-escaped. */
export function dashboardPage(target: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>@x live dashboard</title><style>${STYLE}</style></head>
<body>
<header><h1>@x resilient LLM calls, live</h1><span class="sub">load against ${target} · <a href="/metrics" style="color:inherit">/metrics</a></span><span id="phase">connecting…</span></header>
<main>
<div class="tiles">
${tile('stat-requests', 'requests')}${tile('stat-rps', 'requests / s')}${tile('stat-success', 'success, last 5 s')}${tile('stat-inflight', 'in flight')}
${tile('stat-hit', 'cache hit rate')}${tile('stat-tps', 'tokens / s')}${tile('stat-p99', 'latency p99')}${tile('stat-breaker', 'breaker')}
</div>
<section class="card"><h2>Circuit breaker <span>state over time (green closed, amber half-open, red open); red marks below: the injected outage</span></h2>
<svg id="breaker" viewBox="0 0 600 44" style="height:44px"></svg></section>
<div class="charts">
${card('traffic', 'Traffic', 'requests per second (cache hits included) and calls in flight')}
${card('limiter', 'Rate limiter', 'admissions per second and callers queued')}
${card('cache', 'Cache hit rate', 'over the last 5 s')}
${card('latency', 'Latency percentiles', 'answers of the last 5 s, ms')}
${card('tokens', 'Tokens per second', 'generated, counted by the server')}
${card('errors', 'Errors by code', 'per second')}
</div>
</main>
<footer>Frames every 500 ms over server-sent events; the same numbers as <code>/metrics</code>.</footer>
<script>${SCRIPT}</script>
</body></html>`;
}
