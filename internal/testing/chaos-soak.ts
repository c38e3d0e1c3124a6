/**
 * The chaos soak of a provider (`src/chaos.test.ts` of each), written once: the chaos server, the
 * options both providers run with under it, and the run with every promise checked afterwards. A
 * provider's test brings its wire (`ChaosWire`) and how to build its provider. Test tooling,
 * never published.
 */
import { inspect } from 'node:util';
import { expect, vi } from 'vitest';
import { createRandom } from '../src/random';
import { runChaos } from './chaos-run';
import { CHAOS_BYTE_CAP, type ChaosWire, startChaosServer } from './chaos-server';
import { errorTexts, watchOutputs } from './leaks';

/** The key both providers send: a piece of it anywhere in their outputs fails the soak. */
const CHAOS_SECRET = 'sk-chaos-SECRET-123';

/** What the soak needs of a concurrency limiter (`createConcurrencyLimiter()`). */
interface SoakLimiter {
  stats(): { active: number; queued: number };
  close(): unknown;
}

/**
 * The options a soak builds a provider with: short deadlines, one retry, caps the huge answers
 * pass, no cache (a cached answer would hide the server's next fault), and `url`, the chaos
 * server's. The provider with a breaker has one that opens under the chaos, but briefly, and
 * probes with several calls, so most calls still reach the server.
 */
export type SoakOptions<L> = ReturnType<typeof soakOptions> & {
  url: string;
  breaker: ReturnType<typeof soakBreaker> | false;
  maxConcurrent?: L | undefined;
  completeAs?: 'whole' | undefined;
};

function soakOptions(seed: number) {
  return {
    apiKey: CHAOS_SECRET,
    cache: false,
    maxLineBytes: CHAOS_BYTE_CAP,
    maxAnswerBytes: CHAOS_BYTE_CAP,
    timeouts: { connectMs: 300, firstTokenMs: 300, idleMs: 200, totalMs: 1_200, consumerMs: 500 },
    retry: {
      retries: 1,
      baseDelayMs: 1,
      maxDelayMs: 20,
      maxRetryAfterMs: 300,
      random: createRandom(seed + 1),
    },
  } as const;
}

function soakBreaker() {
  return {
    failureThreshold: 6,
    successThreshold: 1,
    openTimeoutMs: 50,
    maxOpenTimeoutMs: 100,
    halfOpenMaxProbes: 4,
  } as const;
}

/** What the soak needs of a provider. */
export interface SoakProvider<R> {
  complete(request: R): Promise<unknown>;
  stream(request: R): AsyncIterable<unknown>;
  stats(): { inFlight: number };
  readonly pool?: { stats(): { totals: object } } | undefined;
  toPrometheus(): string;
  close(): Promise<void>;
  onError(listener: (event: unknown) => void): unknown;
  onRetry(listener: (event: unknown) => void): unknown;
  onResponse(listener: (event: unknown) => void): unknown;
}

export interface ChaosSoak<R, L extends SoakLimiter> {
  seed: number;
  /** How the provider's API writes its answers. */
  wire: ChaosWire;
  /** Builds the provider under test from the soak's options (a `baseUrl` from `url`). */
  create(options: SoakOptions<L>): SoakProvider<R>;
  /** The concurrency limiter of the provider that reads `complete()` as a stream. */
  limiter: L;
  /** The package name of the diagnostics channels (`provider-ollama`). */
  pkg: string;
  /** The request of a call, with its prompt and the caller's signal. */
  request(prompt: string, signal: AbortSignal | undefined): R;
  /** The provider's error guard (`isOllamaError`). */
  isTyped(error: unknown): boolean;
}

/**
 * 120 calls, 12 at a time, each watched for 4 s; then: no broken promise (a hang, an untyped
 * rejection, an unhandled one), calls that ended both ways, nothing in flight, every concurrency
 * slot and pool request given back, every socket closed once the providers close, and no piece
 * of the key in errors, events, stats or metrics. Closes everything, whatever happens.
 */
export async function expectChaosSoakHolds<R, L extends SoakLimiter>(
  soak: ChaosSoak<R, L>,
): Promise<void> {
  const { seed, limiter } = soak;
  const server = await startChaosServer(soak.wire, createRandom(seed));
  const options = { ...soakOptions(seed), url: server.url };
  // `complete()` read as a stream behind the limiter, with a breaker, and its `stream()` too;
  // `completeAs: 'whole'` without.
  const streamed = soak.create({ ...options, maxConcurrent: limiter, breaker: soakBreaker() });
  const whole = soak.create({ ...options, completeAs: 'whole', breaker: false });
  const outputs = watchOutputs(streamed, soak.pkg);
  const wholeOutputs = watchOutputs(whole, soak.pkg, []);
  const unhandled = watchUnhandled(seed);
  try {
    const report = await runChaos<R>({
      seed,
      random: createRandom(seed + 2),
      calls: 120,
      concurrency: 12,
      watchdogMs: 4_000,
      request: soak.request,
      subject: {
        complete: (mode, request) => (mode === 'whole' ? whole : streamed).complete(request),
        stream: (request) => streamed.stream(request),
        isTyped: soak.isTyped,
      },
      served: server.served,
    });
    expect(report.problems, `seed ${seed}, ${JSON.stringify(report.outcomes)}`).toEqual([]);
    // The mix did reach the server and did end both ways.
    expect(report.outcomes.ok, `seed ${seed}`).toBeGreaterThan(0);
    expect(report.errors.length, `seed ${seed}`).toBeGreaterThan(0);

    await vi.waitFor(() => {
      expect(
        [streamed.stats().inFlight, whole.stats().inFlight],
        `seed ${seed}: in flight`,
      ).toEqual([0, 0]);
      expect(limiter.stats(), `seed ${seed}: concurrency slots`).toMatchObject({
        active: 0,
        queued: 0,
      });
      for (const provider of [streamed, whole]) {
        expect(provider.pool!.stats().totals, `seed ${seed}: pool`).toMatchObject({
          running: 0,
          pending: 0,
          queued: 0,
        });
      }
    });
    await Promise.all([streamed.close(), whole.close()]);
    await vi.waitFor(
      () => expect(server.openSockets(), `seed ${seed}: sockets left open`).toBe(0),
      { timeout: 2_000 },
    );

    const everything = [
      ...errorTexts(report.errors),
      inspect([outputs.seen, wholeOutputs.seen], { depth: 6 }),
      JSON.stringify([streamed.stats(), whole.stats()]),
      streamed.toPrometheus(),
    ].join('\n');
    for (let i = 0; i + 8 <= CHAOS_SECRET.length; i++) {
      expect(everything, `seed ${seed}: a piece of the key`).not.toContain(
        CHAOS_SECRET.slice(i, i + 8),
      );
    }
    expect(unhandled.problems).toEqual([]);
  } finally {
    unhandled.stop();
    outputs.stop();
    wholeOutputs.stop();
    await Promise.all([streamed.close(), whole.close()]);
    limiter.close();
    await server.close();
  }
}

/**
 * Records every unhandled rejection from now until `stop()`, as problems naming the seed: a
 * rejection nobody awaits (a dropped stream's read, a timer's promise) is a broken promise too,
 * even when it happens after the calls settled.
 */
function watchUnhandled(seed: number): { problems: string[]; stop(): void } {
  const problems: string[] = [];
  const onUnhandled = (reason: unknown) =>
    problems.push(`seed ${seed}: unhandled rejection ${inspect(reason, { depth: 2 })}`);
  process.on('unhandledRejection', onUnhandled);
  return { problems, stop: () => process.off('unhandledRejection', onUnhandled) };
}
