/**
 * What the live page plots: one frame per tick, read from the provider's own statistics, events
 * and pieces (the same numbers `/metrics` exposes), as rates and percentiles over a short window.
 */
import type { OllamaProvider, ProviderStats } from '@x/provider-ollama';

export interface Frame {
  /** ms since the dashboard started. */
  t: number;
  phase: string;
  breaker: string;
  inFlight: number;
  /** Callers waiting in the rate limiter's queue. */
  queued: number;
  /** Calls the limiter let through, per second. */
  admittedPerSec: number;
  requestsPerSec: number;
  /** Hits / (hits + misses) over the window, or null without cacheable calls. */
  cacheHitRate: number | null;
  /** Latency percentiles of the answers of the window, ms (null when none). */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** Generated tokens per second. */
  tokensPerSec: number;
  /** Failures per second, by error code. */
  errorsPerSec: Record<string, number>;
  totals: { requests: number; successes: number; failures: number; cacheHits: number };
}

export interface SamplerOptions {
  provider: OllamaProvider;
  phase: () => string;
  /** ms between frames. */
  tickMs?: number;
  /** Frames kept (the page's time axis). */
  keep?: number;
  /** Rates and percentiles are taken over this many ms. */
  windowMs?: number;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Samples the provider every tick; `frames` holds the history, `onFrame` hears each new one. */
export class Sampler {
  readonly frames: Frame[] = [];
  readonly #options: Required<Omit<SamplerOptions, 'provider' | 'phase'>> & SamplerOptions;
  readonly #started = performance.now();
  readonly #history: Array<{ at: number; stats: ProviderStats }> = [];
  readonly #latencies: Array<{ at: number; ms: number }> = [];
  readonly #listeners = new Set<(frame: Frame) => void>();
  readonly #timer: NodeJS.Timeout;
  readonly #off: () => void;

  constructor(options: SamplerOptions) {
    this.#options = { tickMs: 500, keep: 240, windowMs: 5000, ...options };
    this.#off = options.provider.onResponse((event) => {
      if (!event.cached && event.latencyMs !== undefined) {
        this.#latencies.push({ at: performance.now(), ms: event.latencyMs });
      }
    });
    this.#timer = setInterval(() => this.#tick(), this.#options.tickMs);
    this.#timer.unref();
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #tick(): void {
    const { provider, windowMs, keep } = this.#options;
    const now = performance.now();
    const stats = provider.stats();
    this.#history.push({ at: now, stats });
    while (this.#history.length > 2 && this.#history[1]!.at <= now - windowMs)
      this.#history.shift();
    while (this.#latencies.length > 0 && this.#latencies[0]!.at < now - windowMs)
      this.#latencies.shift();
    const first = this.#history[0]!;
    const seconds = Math.max(0.001, (now - first.at) / 1000);
    const before = first.stats;
    const rate = (a: number, b: number) => Math.max(0, (a - b) / seconds);
    const hits = stats.cacheHits - before.cacheHits;
    const misses = stats.cacheMisses - before.cacheMisses;
    const errorsPerSec: Record<string, number> = {};
    for (const [code, n] of Object.entries(stats.failuresByCode)) {
      const perSec = rate(n, before.failuresByCode[code] ?? 0);
      if (perSec > 0) errorsPerSec[code.replace(/^X_PROVIDER_OLLAMA_/, '')] = perSec;
    }
    const sorted = this.#latencies.map((l) => l.ms).sort((a, b) => a - b);
    const frame: Frame = {
      t: now - this.#started,
      phase: this.#options.phase(),
      breaker: provider.breaker?.state ?? 'none',
      inFlight: stats.inFlight,
      queued: provider.rateLimiter?.stats().queued ?? 0,
      admittedPerSec: rate(stats.rateLimitAdmitted, before.rateLimitAdmitted),
      requestsPerSec: rate(stats.requests, before.requests),
      cacheHitRate: hits + misses === 0 ? null : hits / (hits + misses),
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      tokensPerSec: rate(stats.completionTokens, before.completionTokens),
      errorsPerSec,
      totals: {
        requests: stats.requests,
        successes: stats.successes,
        failures: stats.failures,
        cacheHits: stats.cacheHits,
      },
    };
    this.frames.push(frame);
    if (this.frames.length > keep) this.frames.shift();
    for (const listener of this.#listeners) listener(frame);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#off();
    this.#listeners.clear();
  }
}
