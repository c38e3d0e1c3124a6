import { describe, expect, it } from 'vitest';
import { histogramSvg, lineChartSvg, niceTicks, timelineSvg } from './svg';

function wellFormed(svg: string) {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}

describe('niceTicks', () => {
  it('returns round, increasing ticks covering the range when given one', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    const t = niceTicks(0, 7.3, 4);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(6);
  });
});

describe('histogramSvg', () => {
  it('draws a bar per non-empty bin and series when given latencies', () => {
    const svg = histogramSvg(
      [
        { label: 'hits', values: [0.1, 0.12, 0.11, 0.2] },
        { label: 'misses & <more>', values: [5, 6, 7, 50] },
      ],
      { title: 'Latency' },
    );
    wellFormed(svg);
    expect(svg).toContain('misses &amp; &lt;more&gt;');
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(4);
    expect(svg).toContain('log scale');
  });
  it('says so when there is no data', () => {
    const svg = histogramSvg([{ label: 'x', values: [] }], { title: 'Empty' });
    wellFormed(svg);
    expect(svg).toContain('no data');
  });
});

describe('lineChartSvg', () => {
  it('draws one polyline per series when given points', () => {
    const svg = lineChartSvg(
      [
        { label: 'a', points: [1, 2, 4, 8].map((x) => ({ x, y: x * 10 })) },
        { label: 'b', points: [1, 2, 4, 8].map((x) => ({ x, y: x * 5 })) },
      ],
      {
        title: 'Throughput',
        xLabel: 'concurrency',
        yLabel: 'req/s',
        logX: true,
        marker: { x: 4, label: 'knee' },
      },
    );
    wellFormed(svg);
    expect((svg.match(/<polyline /g) ?? []).length).toBe(2);
    expect(svg).toContain('knee');
  });
});

describe('timelineSvg', () => {
  it('draws state spans and outcome bars when given a timeline', () => {
    const svg = timelineSvg(
      [
        { from: 0, to: 1000, state: 'closed' },
        { from: 1000, to: 2000, state: 'open' },
        { from: 2000, to: 2100, state: 'half-open' },
        { from: 2100, to: 3000, state: 'closed' },
      ],
      [
        { t: 0, counts: { passed: 10 } },
        { t: 1000, counts: { rejected: 30, failed: 2 } },
      ],
      {
        title: 'Outage',
        durationMs: 3000,
        bucketMs: 1000,
        outcomeColours: { passed: '#000', failed: '#111', rejected: '#222' },
        shaded: [{ from: 800, to: 1900, label: 'outage' }],
      },
    );
    wellFormed(svg);
    expect(svg).toContain('#dc2626');
    expect(svg).toContain('outage');
  });

  it('colours the band and names its states in the legend when given stateColours', () => {
    const svg = timelineSvg(
      [
        { from: 0, to: 500, state: 'in rotation' },
        { from: 500, to: 1000, state: 'cooling down' },
      ],
      [{ t: 0, counts: { ok: 1 } }],
      {
        title: 'Router',
        durationMs: 1000,
        bucketMs: 500,
        outcomeColours: { ok: '#000' },
        stateColours: { 'in rotation': '#0a0a0a', 'cooling down': '#0b0b0b' },
      },
    );
    wellFormed(svg);
    expect(svg).toContain('fill="#0b0b0b"');
    expect(svg).toContain('cooling down');
    expect(svg).not.toContain('half-open');
  });
});
