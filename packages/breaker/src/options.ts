import { expected } from './internal/describe';
import type { BreakerSnapshot } from './snapshot';
import { parseSnapshot } from './snapshot';

/** How an error (or a caller's abort) counts for the breaker. */
export type BreakerOutcome = 'failure' | 'success' | 'ignore';

/** What `classify` is told besides the error. */
export interface ClassifyContext {
  /** True when the caller's own `signal` aborted the call (the error is then `signal.reason`). */
  readonly callerAborted: boolean;
}

/**
 * Decides whether an error is a `'failure'` (counts towards opening), a `'success'` (an expected
 * error: the dependency answered, for example a 404), or `'ignore'` (counts for nothing).
 */
export type BreakerClassifier = (error: unknown, context: ClassifyContext) => BreakerOutcome;

/** A window over the last `size` calls that completed. */
export interface CountWindowOptions {
  readonly type: 'count';
  /** Number of most recent calls the rates are computed over. An integer >= 1. */
  readonly size: number;
  /**
   * Calls the window must hold before a rate can open the breaker. An integer from 1 to `size`.
   * @default Math.min(10, size)
   */
  readonly minimumCalls?: number;
  /**
   * Failure rate (0 < rate <= 1) at which the breaker opens. Inclusive: `0.5` opens at exactly
   * half the calls failing.
   * @default 0.5
   */
  readonly failureRateThreshold?: number;
}

/** A window over the calls that completed in the last `durationMs`, kept in 10 buckets. */
export interface TimeWindowOptions {
  readonly type: 'time';
  /** Length of the window in milliseconds. A finite number > 0. */
  readonly durationMs: number;
  /**
   * Calls the window must hold before a rate can open the breaker. An integer >= 1.
   * @default 10
   */
  readonly minimumCalls?: number;
  /**
   * Failure rate (0 < rate <= 1) at which the breaker opens. Inclusive.
   * @default 0.5
   */
  readonly failureRateThreshold?: number;
}

/** A rate window: by call count or by time. */
export type BreakerWindowOptions = CountWindowOptions | TimeWindowOptions;

/**
 * Anything with console-like `warn` and `info` methods (console, pino, winston...). Each method
 * receives one structured object and then a message: `logger.warn({ breaker, from, to, reason,
 * time }, 'breaker "x" open (failure-threshold)')`. `log` is used when a level is missing.
 */
export interface BreakerLogger {
  warn?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  log?(...args: unknown[]): void;
}

/** Options of {@link createBreaker}. Every field is optional. */
export interface BreakerOptions {
  /**
   * Name used in errors, events, logs and stats, to tell breakers apart.
   * @default 'breaker'
   */
  readonly name?: string;
  /**
   * Consecutive failures that open the breaker (a success resets the count; ignored outcomes
   * neither count nor reset). An integer >= 1, or `Infinity` to trip on rates only.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * Optional rate window. Both rules apply: the breaker opens on `failureThreshold` consecutive
   * failures or when a rate in the window reaches its threshold, whichever comes first.
   * @default undefined (no window)
   */
  readonly window?: BreakerWindowOptions;
  /**
   * A call that takes at least this long (ms) is slow, whether it succeeded or failed. Needs a
   * `window`. A slow half-open probe counts as a failed probe. A finite number > 0.
   * @default undefined (slow calls are not tracked)
   */
  readonly slowCallDurationMs?: number;
  /**
   * Rate of slow calls in the window (0 < rate <= 1, inclusive) that opens the breaker.
   * Only with `slowCallDurationMs`.
   * @default 1
   */
  readonly slowCallRateThreshold?: number;
  /**
   * Consecutive successful probes that close a half-open breaker. An integer >= 1.
   * @default 2
   */
  readonly successThreshold?: number;
  /**
   * How long the breaker stays open before it lets probes through. A finite number >= 0.
   * @default 30000
   */
  readonly openTimeoutMs?: number;
  /**
   * Upper bound of the open period. When larger than `openTimeoutMs`, each failed probe multiplies
   * the open period by `openTimeoutGrowth`, up to this bound; closing resets it.
   * A finite number >= `openTimeoutMs`.
   * @default openTimeoutMs (no growth)
   */
  readonly maxOpenTimeoutMs?: number;
  /**
   * Factor applied to the open period after each failed probe (with `maxOpenTimeoutMs`).
   * A finite number >= 1.
   * @default 2
   */
  readonly openTimeoutGrowth?: number;
  /**
   * Probes allowed to run at the same time while half-open; other calls are rejected at once.
   * An integer >= 1.
   * @default 1
   */
  readonly halfOpenMaxProbes?: number;
  /**
   * A probe that has not settled after this many milliseconds counts as a failure, frees its
   * slot, rejects with `BreakerProbeTimeoutError` and aborts the signal its function received.
   * A finite number > 0. Closed-state calls are never timed out by the breaker.
   * @default undefined (probes are not timed out)
   */
  readonly probeTimeoutMs?: number;
  /**
   * Decides how an error counts. The default counts every error as a failure, except an abort
   * caused by the caller's own signal, which is ignored. If `classify` throws or returns
   * something else, the error counts as a failure.
   * @default (error, { callerAborted }) => (callerAborted ? 'ignore' : 'failure')
   */
  readonly classify?: BreakerClassifier;
  /**
   * Console-compatible logger; gets one structured entry per state transition (`warn` when
   * opening, `info` otherwise).
   * @default undefined (no logging)
   */
  readonly logger?: BreakerLogger;
  /**
   * A snapshot from `breaker.toJSON()` to start from (state, remaining open time, grown open
   * timeout, counters of the rules). Validated: a malformed snapshot throws a `TypeError`.
   * @default undefined (start closed)
   */
  readonly restore?: BreakerSnapshot;
}

/** @internal Options after validation and defaults. */
export interface ResolvedOptions {
  name: string;
  failureThreshold: number;
  window: ResolvedWindow | undefined;
  slowCallDurationMs: number | undefined;
  slowCallRateThreshold: number;
  successThreshold: number;
  openTimeoutMs: number;
  maxOpenTimeoutMs: number;
  openTimeoutGrowth: number;
  halfOpenMaxProbes: number;
  probeTimeoutMs: number | undefined;
  classify: BreakerClassifier;
  logger: BreakerLogger | undefined;
  restore: BreakerSnapshot | undefined;
}

/** @internal */
export interface ResolvedWindow {
  type: 'count' | 'time';
  /** Calls for a count window, milliseconds for a time window. */
  size: number;
  minimumCalls: number;
  failureRateThreshold: number;
}

/** The default classifier: everything fails except the caller's own abort. */
export const defaultClassify: BreakerClassifier = (_error, context) =>
  context.callerAborted ? 'ignore' : 'failure';

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function integerAtLeast(name: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isInteger(value)) throw new TypeError(expected(name, `an integer >= ${min}`, value));
  if (value < min) throw new RangeError(expected(name, `an integer >= ${min}`, value));
  return value;
}

function finiteAtLeast(
  name: string,
  value: unknown,
  min: number,
  inclusive: boolean,
  fallback: number,
): number;
function finiteAtLeast(
  name: string,
  value: unknown,
  min: number,
  inclusive: boolean,
  fallback: undefined,
): number | undefined;
function finiteAtLeast(
  name: string,
  value: unknown,
  min: number,
  inclusive: boolean,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  const what = `a finite number ${inclusive ? '>=' : '>'} ${min}`;
  if (!isFiniteNumber(value)) throw new TypeError(expected(name, what, value));
  if (inclusive ? value < min : value <= min) throw new RangeError(expected(name, what, value));
  return value;
}

function rate(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const what = 'a number > 0 and <= 1';
  if (!isFiniteNumber(value)) throw new TypeError(expected(name, what, value));
  if (value <= 0 || value > 1) throw new RangeError(expected(name, what, value));
  return value;
}

function resolveWindow(value: unknown): ResolvedWindow | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null)
    throw new TypeError(
      expected(
        'window',
        "an object like { type: 'count', size } or { type: 'time', durationMs }",
        value,
      ),
    );
  const w = value as Record<string, unknown>;
  if (w.type === 'count') {
    if (w.size === undefined)
      throw new TypeError(expected('window.size', 'an integer >= 1', w.size));
    const size = integerAtLeast('window.size', w.size, 1, 1);
    const minimumCalls = integerAtLeast(
      'window.minimumCalls',
      w.minimumCalls,
      1,
      Math.min(10, size),
    );
    if (minimumCalls > size)
      throw new RangeError(
        expected('window.minimumCalls', `an integer from 1 to window.size (${size})`, minimumCalls),
      );
    return {
      type: 'count',
      size,
      minimumCalls,
      failureRateThreshold: rate('window.failureRateThreshold', w.failureRateThreshold, 0.5),
    };
  }
  if (w.type === 'time') {
    if (w.durationMs === undefined)
      throw new TypeError(expected('window.durationMs', 'a finite number > 0', w.durationMs));
    const durationMs = finiteAtLeast('window.durationMs', w.durationMs, 0, false, 0);
    return {
      type: 'time',
      size: durationMs,
      minimumCalls: integerAtLeast('window.minimumCalls', w.minimumCalls, 1, 10),
      failureRateThreshold: rate('window.failureRateThreshold', w.failureRateThreshold, 0.5),
    };
  }
  throw new TypeError(expected('window.type', "'count' or 'time'", w.type));
}

/** @internal Validates options and applies defaults. Throws TypeError / RangeError. */
export function resolveOptions(options: BreakerOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null)
    throw new TypeError(expected('options', 'an object', options));

  const name = options.name ?? 'breaker';
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(expected('name', 'a non-empty string', name));

  let failureThreshold = 5;
  if (options.failureThreshold !== Number.POSITIVE_INFINITY)
    failureThreshold = integerAtLeast('failureThreshold', options.failureThreshold, 1, 5);
  else failureThreshold = Number.POSITIVE_INFINITY;

  const window = resolveWindow(options.window);

  const slowCallDurationMs = finiteAtLeast(
    'slowCallDurationMs',
    options.slowCallDurationMs,
    0,
    false,
    undefined,
  );
  if (options.slowCallRateThreshold !== undefined && slowCallDurationMs === undefined)
    throw new TypeError(
      'Expected `slowCallDurationMs` to be set when `slowCallRateThreshold` is set, got `undefined` (undefined)',
    );
  if (slowCallDurationMs !== undefined && window === undefined)
    throw new TypeError(
      'Expected `window` to be set when `slowCallDurationMs` is set (the slow-call rate is computed over it), got `undefined` (undefined)',
    );
  const slowCallRateThreshold = rate('slowCallRateThreshold', options.slowCallRateThreshold, 1);

  const openTimeoutMs = finiteAtLeast('openTimeoutMs', options.openTimeoutMs, 0, true, 30_000);
  const maxOpenTimeoutMs = finiteAtLeast(
    'maxOpenTimeoutMs',
    options.maxOpenTimeoutMs,
    0,
    true,
    openTimeoutMs,
  );
  if (maxOpenTimeoutMs < openTimeoutMs)
    throw new RangeError(
      expected(
        'maxOpenTimeoutMs',
        `a finite number >= openTimeoutMs (${openTimeoutMs})`,
        maxOpenTimeoutMs,
      ),
    );

  const classify = options.classify ?? defaultClassify;
  if (typeof classify !== 'function')
    throw new TypeError(expected('classify', 'a function', classify));

  const logger = options.logger;
  if (logger !== undefined) {
    const ok =
      typeof logger === 'object' &&
      logger !== null &&
      (typeof logger.warn === 'function' ||
        typeof logger.info === 'function' ||
        typeof logger.log === 'function');
    if (!ok)
      throw new TypeError(
        expected('logger', 'an object with warn, info or log methods (console-compatible)', logger),
      );
  }

  const restore = options.restore === undefined ? undefined : parseSnapshot(options.restore);

  return {
    name,
    failureThreshold,
    window,
    slowCallDurationMs,
    slowCallRateThreshold,
    successThreshold: integerAtLeast('successThreshold', options.successThreshold, 1, 2),
    openTimeoutMs,
    maxOpenTimeoutMs,
    openTimeoutGrowth: finiteAtLeast('openTimeoutGrowth', options.openTimeoutGrowth, 1, true, 2),
    halfOpenMaxProbes: integerAtLeast('halfOpenMaxProbes', options.halfOpenMaxProbes, 1, 1),
    probeTimeoutMs: finiteAtLeast('probeTimeoutMs', options.probeTimeoutMs, 0, false, undefined),
    classify,
    logger,
    restore,
  };
}
