import { type Summary, summarize } from '../stats';
import type { Progress } from '../terminal/progress';

export interface LoadOptions {
  /** Concurrent callers (closed loop: each starts its next request when the last one ends). */
  concurrency: number;
  /** Stop after this many requests have been started... */
  requests?: number;
  /** ...or after this long (whichever comes first; at least one of them is required). */
  durationMs?: number;
  /** One request. `i` is its sequence number; reject to count a failure. */
  request: (i: number) => Promise<unknown>;
  /** Names a failure for the outcome counts (an error code); default: the error's `code` or name. */
  classify?: (error: unknown) => string;
  /** Called every `sampleEveryMs` with the elapsed time; its fields form the time series. */
  sample?: (elapsedMs: number) => Record<string, number | string>;
  sampleEveryMs?: number;
  /**
   * Pause of each caller between its requests, ms: bounds the offered load the way real traffic
   * is bounded (a closed loop without it turns fast rejections into a busy spin).
   */
  thinkMs?: number;
  progress?: Progress;
  label?: string;
}

export interface RequestRecord {
  /** Start, ms since the run started. */
  t: number;
  /** Duration, ms. */
  ms: number;
  /** `ok` or the failure's class. */
  outcome: string;
}

export interface LoadResult {
  concurrency: number;
  elapsedMs: number;
  started: number;
  ok: number;
  failed: number;
  /** Requests per outcome (`ok`, `X_PROVIDER_OLLAMA_CIRCUIT_OPEN`, ...). */
  outcomes: Record<string, number>;
  /** Successful requests per second over the whole run. */
  throughput: number;
  /** failed / started */
  errorRate: number;
  /** Latencies of successful requests, ms. */
  latency: Summary;
  /** Latencies of failed requests, ms (a fast rejection is the point of a breaker). */
  failureLatency: Summary;
  records: RequestRecord[];
  series: ({ t: number } & Record<string, number | string>)[];
}

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; name?: unknown };
    if (typeof e.code === 'string' && e.code) return e.code;
    if (typeof e.name === 'string' && e.name) return e.name;
  }
  return 'Error';
}

/**
 * Runs a closed-loop load: `concurrency` callers issue requests back to back until the count or
 * the duration is reached, recording each request's start, duration and outcome. Nothing is
 * retried here: what the client under test does on failure is part of what is measured.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, requests, durationMs } = options;
  if (requests === undefined && durationMs === undefined) {
    throw new TypeError('Expected `requests` or `durationMs` in the load options');
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Expected \`concurrency\` to be an integer >= 1, got \`${concurrency}\``);
  }
  const classify = options.classify ?? errorCode;
  const records: RequestRecord[] = [];
  const series: LoadResult['series'] = [];
  const t0 = performance.now();
  const deadline = durationMs !== undefined ? t0 + durationMs : Number.POSITIVE_INFINITY;
  const limit = requests ?? Number.POSITIVE_INFINITY;
  let next = 0;
  let finished = 0;

  const steps = 10;
  let reported = 0;
  options.progress?.start(options.label ?? 'load', steps);
  const report = () => {
    const byCount = Number.isFinite(limit) ? finished / limit : 0;
    const byTime = durationMs !== undefined ? (performance.now() - t0) / durationMs : 0;
    const frac = Math.min(1, Math.max(byCount, byTime));
    while (reported < Math.floor(frac * steps)) {
      reported++;
      options.progress?.tick(`${finished} requests`);
    }
  };

  let timer: ReturnType<typeof setInterval> | undefined;
  if (options.sample) {
    const every = options.sampleEveryMs ?? 100;
    const take = () => {
      const t = performance.now() - t0;
      series.push({ ...options.sample!(t), t: Math.round(t * 10) / 10 });
    };
    take();
    timer = setInterval(() => {
      take();
      report();
    }, every);
    timer.unref();
  }

  const worker = async () => {
    while (next < limit && performance.now() < deadline) {
      const i = next++;
      const start = performance.now();
      let outcome = 'ok';
      try {
        await options.request(i);
      } catch (e) {
        outcome = classify(e);
      }
      const end = performance.now();
      records.push({ t: start - t0, ms: end - start, outcome });
      finished++;
      if (finished % 16 === 0) report();
      if (options.thinkMs) await new Promise((r) => setTimeout(r, options.thinkMs));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  const elapsedMs = performance.now() - t0;
  if (options.sample) {
    series.push({ ...options.sample(elapsedMs), t: Math.round(elapsedMs * 10) / 10 });
  }
  report();
  while (reported < steps) {
    reported++;
    options.progress?.tick(`${finished} requests`);
  }
  options.progress?.done();

  const outcomes: Record<string, number> = {};
  const okLat: number[] = [];
  const failLat: number[] = [];
  for (const r of records) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    (r.outcome === 'ok' ? okLat : failLat).push(r.ms);
  }
  records.sort((a, b) => a.t - b.t);
  const ok = okLat.length;
  const failed = failLat.length;
  return {
    concurrency,
    elapsedMs,
    started: records.length,
    ok,
    failed,
    outcomes,
    throughput: ok / (elapsedMs / 1000),
    errorRate: records.length > 0 ? failed / records.length : 0,
    latency: summarize(okLat),
    failureLatency: summarize(failLat),
    records,
    series,
  };
}
