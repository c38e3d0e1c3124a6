import { createRandom } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { zipf } from './cache';
import { bucketOutcomes, stateSpans } from './outage';
import { maxInWindow } from './rate-limit';
import { phaseFigures, sampledSpans } from './router';

describe('maxInWindow', () => {
  it('returns the most arrivals inside any window when arrivals cluster', () => {
    expect(maxInWindow([0, 10, 20, 1000, 1001, 1002, 1003], 100)).toBe(4);
    expect(maxInWindow([0, 100, 200], 100)).toBe(1);
    expect(maxInWindow([], 100)).toBe(0);
  });
});

describe('zipf', () => {
  it('draws low ranks far more often than high ones when sampling', () => {
    const next = zipf(100, 1.1, createRandom(1));
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 10_000; i++) counts[next()]!++;
    expect(counts.every((_, i) => i >= 0 && i < 100)).toBe(true);
    expect(counts[0]!).toBeGreaterThan(counts[9]! * 5);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
  });
});

describe('stateSpans', () => {
  it('covers the whole run with one span per state when given transitions', () => {
    const spans = stateSpans(
      [
        { t: 100, from: 'closed', to: 'open', reason: 'failure-threshold' },
        { t: 300, from: 'open', to: 'half-open', reason: 'open-timeout' },
        { t: 310, from: 'half-open', to: 'closed', reason: 'probe-success' },
      ],
      1000,
    );
    expect(spans).toEqual([
      { from: 0, to: 100, state: 'closed' },
      { from: 100, to: 300, state: 'open' },
      { from: 300, to: 310, state: 'half-open' },
      { from: 310, to: 1000, state: 'closed' },
    ]);
  });
});

describe('bucketOutcomes', () => {
  it('counts each record in the bucket of its start time when labelling', () => {
    const b = bucketOutcomes(
      [
        { t: 5, outcome: 'ok' },
        { t: 15, outcome: 'X_PROVIDER_OLLAMA_CIRCUIT_OPEN' },
        { t: 19, outcome: 'ok' },
      ],
      20,
      10,
      (o) => (o === 'ok' ? 'passed' : 'rejected'),
    );
    expect(b).toEqual([
      { t: 0, counts: { passed: 1 } },
      { t: 10, counts: { rejected: 1, passed: 1 } },
    ]);
  });
});

describe('phaseFigures', () => {
  it('counts the success rate and latency of the requests started within the phase', () => {
    const f = phaseFigures(
      [
        { t: 5, ms: 10, outcome: 'ok' },
        { t: 15, ms: 20, outcome: 'ok' },
        { t: 16, ms: 1, outcome: 'X_PROVIDER_OLLAMA_CONNECTION' },
        { t: 30, ms: 5, outcome: 'ok' },
      ],
      { name: 'during', from: 10, to: 30 },
    );
    expect(f.requests).toBe(2);
    expect(f.success).toBe(0.5);
    expect(f.latency.p50).toBe(20);
  });

  it('reports a full success rate for a phase without requests', () => {
    expect(phaseFigures([], { name: 'x', from: 0, to: 10 }).success).toBe(1);
  });
});

describe('sampledSpans', () => {
  it('merges equal samples into spans covering the run', () => {
    const spans = sampledSpans(
      [
        { t: 0, state: 'in rotation' },
        { t: 10, state: 'in rotation' },
        { t: 20, state: 'breaker open' },
        { t: 30, state: 'in rotation' },
      ],
      50,
    );
    expect(spans).toEqual([
      { from: 0, to: 20, state: 'in rotation' },
      { from: 20, to: 30, state: 'breaker open' },
      { from: 30, to: 50, state: 'in rotation' },
    ]);
  });
});
