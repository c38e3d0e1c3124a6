import type { FaultRule } from '@x/ollama-sim';
import type { FaultMix } from '../cli';
import type { LoadResult } from '../load/engine';
import { formatMs, formatOps, formatPct } from '../terminal/table';

/** Turns a fault mix into simulator rules on /api/chat, drawn from the simulator's seed. */
export function faultRules(mix: FaultMix): FaultRule[] {
  const rules: FaultRule[] = [];
  if (mix.latencyMs > 0 || mix.jitterMs > 0) {
    rules.push({
      route: '/api/chat',
      fault: {
        kind: 'latency',
        ms:
          mix.jitterMs > 0
            ? { min: mix.latencyMs, max: mix.latencyMs + mix.jitterMs }
            : mix.latencyMs,
      },
    });
  }
  if (mix.errorRate > 0) {
    rules.push({
      route: '/api/chat',
      fault: { kind: 'status', status: 503 },
      probability: mix.errorRate,
    });
  }
  if (mix.streamErrorRate > 0) {
    rules.push({
      route: '/api/chat',
      fault: { kind: 'error-line' },
      probability: mix.streamErrorRate,
    });
  }
  return rules;
}

export function describeMix(mix: FaultMix): string {
  const parts: string[] = [];
  if (mix.latencyMs || mix.jitterMs)
    parts.push(`server latency ${mix.latencyMs}-${mix.latencyMs + mix.jitterMs} ms`);
  if (mix.errorRate) parts.push(`${formatPct(mix.errorRate)} HTTP 503`);
  if (mix.streamErrorRate) parts.push(`${formatPct(mix.streamErrorRate)} mid-stream errors`);
  return parts.length > 0 ? parts.join(', ') : 'no faults';
}

/** The headline figures of a load run, in display units. */
export function loadMetrics(r: LoadResult, prefix = ''): Record<string, string | number> {
  return {
    [`${prefix}requests`]: r.started,
    [`${prefix}throughput`]: `${formatOps(r.throughput)} req/s`,
    [`${prefix}latency p50`]: formatMs(r.latency.p50),
    [`${prefix}latency p95`]: formatMs(r.latency.p95),
    [`${prefix}latency p99`]: formatMs(r.latency.p99),
    [`${prefix}latency max`]: formatMs(r.latency.max),
    [`${prefix}error rate`]: formatPct(r.errorRate, 2),
  };
}

export function outcomeText(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
