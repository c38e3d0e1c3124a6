import {
  expectDuration,
  expectFunction,
  expectKnownKeys,
  expectLogger,
  expectNumber,
  expectSharedName,
  fail,
  isPlainObject,
  optionalDuration,
  optionalNumber,
} from '@x/internal';
import { OPTION_ALIASES, refusePeerKeys } from './peer-options';
import type { BreakerSnapshot } from './snapshot';
import { parseSnapshot } from './snapshot';

/** How an error (or a caller's abort) counts for the breaker. */
export type BreakerOutcome = 'failure' | 'success' | 'ignore';

/** What `classify` is told besides the error. */
export interface ClassifyContext {
  /**
   * True when the caller's own `signal` aborted the call (the error is then `signal.reason`), and
   * when `fn` ended it with `ignoreOutcome(reason)` (the error is then `reason`; the call is
   * ignored whatever `classify` answers).
   */
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
  /**
   * Number of most recent calls the rates are computed over. An integer from 1 to 1,000,000
   * (one byte of memory per call; a longer span is a time window's).
   */
  readonly size: number;
  /**
   * Calls the window must hold before a rate can open the breaker. An integer from 1 to `size`.
   * @default Math.min(10, size)
   */
  readonly minimumCalls?: number | undefined;
  /**
   * Failure rate (0 < rate <= 1) at which the breaker opens. Inclusive: `0.5` opens at exactly
   * half the calls failing.
   * @default 0.5
   */
  readonly failureRateThreshold?: number | undefined;
}

/** A window over the calls that completed in the last `durationMs`, kept in 10 buckets. */
export interface TimeWindowOptions {
  readonly type: 'time';
  /** Length of the window in milliseconds. A finite number > 0, at most 2^31-1 (about 24.8 days). */
  readonly durationMs: number;
  /**
   * Calls the window must hold before a rate can open the breaker. An integer >= 1.
   * @default 10
   */
  readonly minimumCalls?: number | undefined;
  /**
   * Failure rate (0 < rate <= 1) at which the breaker opens. Inclusive.
   * @default 0.5
   */
  readonly failureRateThreshold?: number | undefined;
}

/** A rate window: by call count or by time. */
export type BreakerWindowOptions = CountWindowOptions | TimeWindowOptions;

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type BreakerLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods. Each entry is
 * one structured object and then a message: `logger.warn({ package: '@x/breaker', event:
 * 'state-change', breaker, from, to, reason, time }, 'breaker "x" closed -> open
 * (failure-threshold)')`. `log` is used when a level is missing; a logger with neither skips it.
 */
export interface BreakerLogger {
  debug?: BreakerLogMethod | undefined;
  info?: BreakerLogMethod | undefined;
  warn?: BreakerLogMethod | undefined;
  error?: BreakerLogMethod | undefined;
  log?: BreakerLogMethod | undefined;
}

/** Options of {@link createBreaker}. Every field is optional. */
export interface BreakerOptions {
  /**
   * Name used in errors, events, logs and stats, to tell breakers apart.
   * @default 'breaker'
   */
  readonly name?: string | undefined;
  /**
   * Consecutive failures that open the breaker (a success resets the count; ignored outcomes
   * neither count nor reset). An integer >= 1, or `Infinity` to trip on rates only.
   * @default 5
   */
  readonly failureThreshold?: number | undefined;
  /**
   * Optional rate window. Both rules apply: the breaker opens on `failureThreshold` consecutive
   * failures or when a rate in the window reaches its threshold, whichever comes first.
   * @default undefined (no window)
   */
  readonly window?: BreakerWindowOptions | undefined;
  /**
   * A call that takes at least this long (ms) is slow, whether it succeeded or failed. Needs a
   * `window`. A slow half-open probe reopens the breaker like a failed one (`probe-slow`), and is
   * counted and reported as what it was (a success: `successes`, `onSuccess` with `slow: true`).
   * A finite number > 0, at most 2^31-1.
   * @default undefined (slow calls are not tracked)
   */
  readonly slowCallDurationMs?: number | undefined;
  /**
   * Rate of slow calls in the window (0 < rate <= 1, inclusive) that opens the breaker.
   * Only with `slowCallDurationMs`.
   * @default 1
   */
  readonly slowCallRateThreshold?: number | undefined;
  /**
   * Consecutive successful probes that close a half-open breaker. An integer >= 1.
   * @default 2
   */
  readonly successThreshold?: number | undefined;
  /**
   * How long the breaker stays open before it lets probes through. A finite number from 0 to
   * 2^31-1.
   * @default 30000
   */
  readonly openTimeoutMs?: number | undefined;
  /**
   * Upper bound of the open period. When larger than `openTimeoutMs`, each failed probe multiplies
   * the open period by `openTimeoutGrowth`, up to this bound; closing resets it.
   * A finite number from `openTimeoutMs` to 2^31-1.
   * @default openTimeoutMs (no growth)
   */
  readonly maxOpenTimeoutMs?: number | undefined;
  /**
   * Factor applied to the open period after each failed probe (with `maxOpenTimeoutMs`).
   * A finite number >= 1.
   * @default 2
   */
  readonly openTimeoutGrowth?: number | undefined;
  /**
   * Probes allowed to run at the same time while half-open; other calls are rejected at once.
   * An integer >= 1.
   * @default 1
   */
  readonly halfOpenMaxProbes?: number | undefined;
  /**
   * A probe that has not settled after this many milliseconds counts as a failure, frees its
   * slot, rejects with `BreakerProbeTimeoutError` and aborts the signal its function received.
   * A finite number > 0, at most 2^31-1 (Node's timer limit). Closed-state calls are never timed
   * out by the breaker. While a probe is pending, its timer keeps the process alive.
   * @default undefined (probes are not timed out)
   */
  readonly probeTimeoutMs?: number | undefined;
  /**
   * Decides how an error counts. The default counts every error as a failure, except an abort
   * caused by the caller's own signal, which is ignored. If `classify` throws or returns
   * something else, the error counts as a failure. An error made by `ignoreOutcome()` is ignored
   * whatever it answers (it is told of it as of an abort). A call `classify` makes with
   * `execute()` is judged once the outcome being classified has been acted on.
   * @default (error, { callerAborted }) => (callerAborted ? 'ignore' : 'failure')
   */
  readonly classify?: BreakerClassifier | undefined;
  /**
   * pino, `console` or any {@link BreakerLogger}; gets one structured entry per state transition
   * (`warn` when opening, `info` otherwise). See the README's Logging section.
   * @default undefined (no logging)
   */
  readonly logger?: BreakerLogger | undefined;
  /**
   * A snapshot from `breaker.toJSON()` to start from (state, remaining open time, grown open
   * timeout, counters of the rules). Validated: a malformed snapshot throws a `TypeError`.
   * @default undefined (start closed)
   */
  readonly restore?: BreakerSnapshot | undefined;
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

const OPTION_KEYS = [
  'name',
  'failureThreshold',
  'window',
  'slowCallDurationMs',
  'slowCallRateThreshold',
  'successThreshold',
  'openTimeoutMs',
  'maxOpenTimeoutMs',
  'openTimeoutGrowth',
  'halfOpenMaxProbes',
  'probeTimeoutMs',
  'classify',
  'logger',
  'restore',
] as const satisfies readonly (keyof BreakerOptions)[];
const COUNT_WINDOW_KEYS = [
  'type',
  'size',
  'minimumCalls',
  'failureRateThreshold',
] as const satisfies readonly (keyof CountWindowOptions)[];
const TIME_WINDOW_KEYS = [
  'type',
  'durationMs',
  'minimumCalls',
  'failureRateThreshold',
] as const satisfies readonly (keyof TimeWindowOptions)[];

/**
 * Largest count window. The window keeps one byte per call (and `toJSON()` writes one number per
 * call), so its size is memory the breaker holds from creation: a million calls is 1 MB, and
 * 2^32 was 4 GiB allocated at once (a larger size failed inside `Uint8Array` naming no option).
 * A rate over more calls than that moves by less than a millionth per call: a window meant to span
 * that much traffic is a time window, whose memory is 10 buckets whatever its length.
 */
const MAX_COUNT_WINDOW = 1_000_000;

const COUNT = { min: 1, integer: true } as const;
const WINDOW_SIZE = { ...COUNT, max: MAX_COUNT_WINDOW } as const;
const RATE = { min: 0, exclusiveMin: true, max: 1 } as const;
const POSITIVE = { exclusiveMin: true } as const;

/** Every key of either window: what a window whose `type` is missing or misspelt is checked against. */
const WINDOW_KEYS = [...new Set<string>([...COUNT_WINDOW_KEYS, ...TIME_WINDOW_KEYS])];

function resolveWindow(value: unknown): ResolvedWindow | undefined {
  if (value === undefined) return undefined;
  // An array would be a window without a type: the error would name `window.type`, not `window`.
  if (!isPlainObject(value))
    fail('window', "an object like { type: 'count', size } or { type: 'time', durationMs }", value);
  const window = value;
  const rate = (): number =>
    optionalNumber('window.failureRateThreshold', window.failureRateThreshold, RATE) ?? 0.5;
  if (window.type === 'count') {
    expectKnownKeys('window', window, COUNT_WINDOW_KEYS);
    const size = expectNumber('window.size', window.size, WINDOW_SIZE);
    const minimumCalls =
      optionalNumber('window.minimumCalls', window.minimumCalls, COUNT) ?? Math.min(10, size);
    if (minimumCalls > size)
      fail('window.minimumCalls', `an integer from 1 to window.size (${size})`, minimumCalls, true);
    return { type: 'count', size, minimumCalls, failureRateThreshold: rate() };
  }
  if (window.type === 'time') {
    expectKnownKeys('window', window, TIME_WINDOW_KEYS);
    return {
      type: 'time',
      size: expectDuration('window.durationMs', window.durationMs, POSITIVE),
      minimumCalls: optionalNumber('window.minimumCalls', window.minimumCalls, COUNT) ?? 10,
      failureRateThreshold: rate(),
    };
  }
  // A misspelt `type` (`typ`) is named with the closest key, as at the top level, before the
  // missing `type` is.
  expectKnownKeys('window', window, WINDOW_KEYS);
  return fail('window.type', "'count' or 'time'", window.type, typeof window.type === 'string');
}

/**
 * @internal Validates options and applies defaults. Throws a TypeError (wrong type, unknown key)
 * or a RangeError (right type, value out of range) naming the field. Durations are capped at
 * 2^31-1 ms, the longest delay a Node timer honours.
 */
export function resolveOptions(options: BreakerOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  // An array would be read as no options at all: the user's settings silently lost.
  if (!isPlainObject(options)) fail('options', 'an object', options);
  refusePeerKeys(options);
  expectKnownKeys(undefined, options, OPTION_KEYS, OPTION_ALIASES);

  // A label, checked as a shared one's: it shows in errors, events, logs, stats and snapshots.
  const name = options.name === undefined ? 'breaker' : expectSharedName(options.name);

  const failureThreshold =
    optionalNumber('failureThreshold', options.failureThreshold, {
      ...COUNT,
      allowInfinity: true,
    }) ?? 5;

  const window = resolveWindow(options.window);

  const slowCallDurationMs = optionalDuration(
    'slowCallDurationMs',
    options.slowCallDurationMs,
    POSITIVE,
  );
  // Through `fail` with the other option as a part: a provider's `breaker` options then show
  // both under `breaker.`.
  if (options.slowCallRateThreshold !== undefined && slowCallDurationMs === undefined)
    fail('slowCallDurationMs', ['set when `', 'slowCallRateThreshold', '` is set'], undefined);
  if (slowCallDurationMs !== undefined && window === undefined)
    fail(
      'window',
      ['set when `', 'slowCallDurationMs', '` is set (the slow-call rate is computed over it)'],
      undefined,
    );
  const slowCallRateThreshold =
    optionalNumber('slowCallRateThreshold', options.slowCallRateThreshold, RATE) ?? 1;

  const openTimeoutMs = optionalDuration('openTimeoutMs', options.openTimeoutMs) ?? 30_000;
  const maxOpenTimeoutMs =
    optionalDuration('maxOpenTimeoutMs', options.maxOpenTimeoutMs) ?? openTimeoutMs;
  if (maxOpenTimeoutMs < openTimeoutMs)
    fail(
      'maxOpenTimeoutMs',
      `a finite number >= openTimeoutMs (${openTimeoutMs})`,
      maxOpenTimeoutMs,
      true,
    );

  const classify =
    options.classify === undefined
      ? defaultClassify
      : expectFunction<BreakerClassifier>('classify', options.classify);

  const restore = options.restore === undefined ? undefined : parseSnapshot(options.restore);

  return {
    name,
    failureThreshold,
    window,
    slowCallDurationMs,
    slowCallRateThreshold,
    successThreshold: optionalNumber('successThreshold', options.successThreshold, COUNT) ?? 2,
    openTimeoutMs,
    maxOpenTimeoutMs,
    openTimeoutGrowth:
      optionalNumber('openTimeoutGrowth', options.openTimeoutGrowth, { min: 1 }) ?? 2,
    halfOpenMaxProbes: optionalNumber('halfOpenMaxProbes', options.halfOpenMaxProbes, COUNT) ?? 1,
    probeTimeoutMs: optionalDuration('probeTimeoutMs', options.probeTimeoutMs, POSITIVE),
    classify,
    logger: expectLogger('logger', options.logger),
    restore,
  };
}
