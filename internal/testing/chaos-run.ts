/**
 * Drives a provider against the chaos server (`chaos-server.ts`): a seeded mix of complete()
 * calls (both completeAs modes), streams read to the end or abandoned, and caller aborts at a
 * random moment, a few at a time. Collects what breaks the providers' promise (a call that never
 * settles, a rejection that is neither a typed provider error nor the caller's abort reason, an
 * unhandled rejection) as readable problems naming the seed, the call and what the server did.
 * Test tooling, never published.
 */
import { inspect } from 'node:util';
import { chaosPrompt, type Draw } from './chaos-server';

/** The provider under test, seen through what the chaos run needs of it. */
export interface ChaosSubject<R> {
  /** `complete()` of the provider whose `completeAs` is `mode`. */
  complete(mode: 'stream' | 'whole', request: R): Promise<unknown>;
  stream(request: R): AsyncIterable<unknown>;
  /** The provider's error guard (`isOllamaError`, `isOpenAIError`). */
  isTyped(error: unknown): boolean;
}

export interface ChaosRunOptions<R> {
  seed: number;
  random: Draw;
  calls: number;
  concurrency: number;
  /** How long one call may take before it counts as hung (real time). */
  watchdogMs: number;
  /** The request of call `id` (its prompt must be {@link chaosPrompt}), with the caller's signal. */
  request(prompt: string, signal: AbortSignal | undefined): R;
  subject: ChaosSubject<R>;
  /** What the server answered each call with, for the problem reports. */
  served: ReadonlyMap<number, readonly string[]>;
}

export interface ChaosReport {
  /** How calls ended: `ok`, `aborted`, or the typed error's code. */
  outcomes: Record<string, number>;
  /** Broken promises, each a sentence naming the seed, the call and the server's behaviours. */
  problems: string[];
  /** Every rejection, for the secret checks. */
  errors: unknown[];
}

type Kind = 'complete' | 'complete-whole' | 'stream' | 'stream-break';

interface Plan {
  id: number;
  kind: Kind;
  abortAfterMs: number | undefined;
  breakAfter: number;
}

function plan(id: number, random: Draw): Plan {
  const roll = random();
  const kind: Kind =
    roll < 0.3
      ? 'complete'
      : roll < 0.55
        ? 'complete-whole'
        : roll < 0.8
          ? 'stream'
          : 'stream-break';
  const abortAfterMs = random() < 0.25 ? Math.floor(random() * 600) : undefined;
  return { id, kind, abortAfterMs, breakAfter: Math.floor(random() * 3) };
}

function describePlan(p: Plan): string {
  const abort = p.abortAfterMs === undefined ? '' : `, aborted after ${p.abortAfterMs} ms`;
  const leave = p.kind === 'stream-break' ? ` after ${p.breakAfter} chunks` : '';
  return `${p.kind}${leave}${abort}`;
}

async function perform<R>(p: Plan, options: ChaosRunOptions<R>, signal: AbortSignal | undefined) {
  const request = options.request(chaosPrompt(p.id), signal);
  if (p.kind === 'complete') return options.subject.complete('stream', request);
  if (p.kind === 'complete-whole') return options.subject.complete('whole', request);
  let seen = 0;
  for await (const _chunk of options.subject.stream(request)) {
    seen++;
    if (p.kind === 'stream-break' && seen > p.breakAfter) break;
  }
  return seen;
}

/** Runs `options.calls` calls, `options.concurrency` at a time, and reports how each ended. */
export async function runChaos<R>(options: ChaosRunOptions<R>): Promise<ChaosReport> {
  const { seed, random, watchdogMs, served } = options;
  const plans = Array.from({ length: options.calls }, (_, id) => plan(id, random));
  const report: ChaosReport = { outcomes: {}, problems: [], errors: [] };
  const count = (outcome: string) => {
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
  };
  async function one(p: Plan): Promise<void> {
    const controller = p.abortAfterMs === undefined ? undefined : new AbortController();
    const reason = new Error(`chaos: the caller gave up on call ${p.id}`);
    const abortTimer = controller && setTimeout(() => controller.abort(reason), p.abortAfterMs);
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      watchdog = setTimeout(() => resolve('hung'), watchdogMs);
    });
    const call = perform(p, options, controller?.signal).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const settled = await Promise.race([call, hung]);
    clearTimeout(watchdog);
    clearTimeout(abortTimer);
    const where = () =>
      `seed ${seed}: call ${p.id} (${describePlan(p)}; server: ${(served.get(p.id) ?? ['no request']).join(' → ')})`;
    if (settled === 'hung') {
      count('hung');
      report.problems.push(`${where()} did not settle within ${watchdogMs} ms`);
      return;
    }
    if (settled.ok) return count('ok');
    report.errors.push(settled.error);
    if (settled.error === reason) return count('aborted');
    if (options.subject.isTyped(settled.error)) {
      return count(String((settled.error as { code?: unknown }).code));
    }
    count('untyped');
    report.problems.push(
      `${where()} rejected with ${inspect(settled.error, { depth: 2, maxStringLength: 120 })}`,
    );
  }

  let next = 0;
  const worker = async () => {
    while (next < plans.length) await one(plans[next++]!);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}

/** The seeds to run: `CHAOS_SEEDS=7,8,9` replays or explores others than the committed ones. */
export function chaosSeeds(committed: readonly number[]): number[] {
  const fromEnv = process.env.CHAOS_SEEDS;
  if (fromEnv === undefined || fromEnv.trim() === '') return [...committed];
  return fromEnv.split(',').map((s) => Number(s.trim()));
}
