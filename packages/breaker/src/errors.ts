import { brand, errorJSON, hasBrand, mark } from '@x/internal';

/** The state a breaker can be in. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Why a call was rejected without running. */
export type RejectReason = 'open' | 'isolated' | 'half-open-full';

// The brands are marks on the prototypes rather than on each instance: a rejection makes its
// error without running a constructor, and defining a property per instance would cost more than
// the rest of it. Not class members either: a computed member keyed by a plain `symbol` in the
// published .d.ts is an error for TypeScript before 5.8 (TS1166).
const OPEN_BRAND = brand('breaker', 'BreakerOpenError');
const PROBE_TIMEOUT_BRAND = brand('breaker', 'BreakerProbeTimeoutError');

/**
 * Thrown (as a rejection of `execute()`) when the breaker refuses a call without running it:
 * the breaker is open, isolated, or half-open with every probe slot taken.
 *
 * The breaker creates it without capturing a stack trace: it is made on the hot rejection path,
 * where a stack would cost more than all the rest of the rejection, and it never points at a bug.
 * It is still an `Error` (`instanceof Error`, printed like one); its `stack` is its first line.
 *
 * @example
 * ```ts
 * try {
 *   await breaker.execute((signal) => callProvider(prompt, signal));
 * } catch (error) {
 *   if (isBreakerOpenError(error)) setTimeout(retry, error.retryAfterMs);
 * }
 * ```
 */
export class BreakerOpenError extends Error {
  /** Stable code, `X_BREAKER_OPEN`. */
  declare readonly code: 'X_BREAKER_OPEN';
  /** Name of the breaker that rejected the call (the `name` option). */
  declare readonly breaker: string;
  /** State of the breaker when it rejected the call. */
  declare readonly state: 'open' | 'half-open';
  /** `'open'` (tripped), `'isolated'` (held open by `isolate()`), or `'half-open-full'`. */
  declare readonly reason: RejectReason;
  /**
   * Milliseconds until the breaker lets a probe through: the rest of the open period (rounded up
   * to a whole millisecond) when open, `0` when half-open (a slot frees when a running probe
   * settles), `Infinity` while isolated.
   */
  declare readonly retryAfterMs: number;

  constructor(
    message: string,
    breaker: string,
    state: 'open' | 'half-open',
    reason: RejectReason,
    retryAfterMs: number,
  ) {
    super(message);
    this.code = 'X_BREAKER_OPEN';
    this.breaker = breaker;
    this.state = state;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

// On the prototype, so the stack header names the class and construction stays cheap.
(BreakerOpenError.prototype as { name: string }).name = 'BreakerOpenError';
mark(BreakerOpenError.prototype, OPEN_BRAND);
// Instances made by `createOpenError` have no own stack; this stands in for it.
Object.defineProperty(BreakerOpenError.prototype, 'stack', {
  configurable: true,
  get(this: BreakerOpenError): string {
    return `${this.name}: ${this.message}`;
  },
});

/**
 * @internal The breaker's way to make a {@link BreakerOpenError}: an instance of the class built
 * without running the `Error` constructor. Even with `Error.stackTraceLimit = 0`, V8 spends
 * ~250 ns constructing an Error; this takes ~10 ns and is what makes a rejection cheap.
 */
export function createOpenError(
  message: string,
  breaker: string,
  state: 'open' | 'half-open',
  reason: RejectReason,
  retryAfterMs: number,
): BreakerOpenError {
  const error = Object.create(BreakerOpenError.prototype) as {
    -readonly [K in keyof BreakerOpenError]: BreakerOpenError[K];
  };
  error.message = message;
  error.code = 'X_BREAKER_OPEN';
  error.breaker = breaker;
  error.state = state;
  error.reason = reason;
  error.retryAfterMs = retryAfterMs;
  return error as BreakerOpenError;
}

/**
 * The rejection of a half-open probe that did not settle within `probeTimeoutMs`. The probe counts
 * as a failure (the breaker reopens), its slot is freed, and the signal given to the probe's
 * function is aborted with this error.
 *
 * @example
 * ```ts
 * if (isBreakerProbeTimeoutError(error)) console.log(error.timeoutMs);
 * ```
 */
export class BreakerProbeTimeoutError extends Error {
  /** Stable code, `X_BREAKER_PROBE_TIMEOUT`. */
  declare readonly code: 'X_BREAKER_PROBE_TIMEOUT';
  /** Name of the breaker (the `name` option). */
  declare readonly breaker: string;
  /** The `probeTimeoutMs` that elapsed. */
  declare readonly timeoutMs: number;

  constructor(breaker: string, timeoutMs: number) {
    super(
      `Breaker "${breaker}": probe did not settle within ${timeoutMs} ms; give the call a shorter deadline, or raise \`probeTimeoutMs\``,
    );
    this.code = 'X_BREAKER_PROBE_TIMEOUT';
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
  }

  /**
   * What `JSON.stringify(error)` (a log line, an API answer) shows: the name and message, which
   * an `Error` keeps out of JSON, and every field above; not the `cause`.
   */
  toJSON(): Omit<this, 'cause' | 'stack' | 'toJSON'> {
    return errorJSON(this);
  }
}

(BreakerProbeTimeoutError.prototype as { name: string }).name = 'BreakerProbeTimeoutError';
mark(BreakerProbeTimeoutError.prototype, PROBE_TIMEOUT_BRAND);

/**
 * True when `value` is a {@link BreakerOpenError}, from this or any other copy of the package.
 *
 * @example
 * ```ts
 * if (isBreakerOpenError(error)) return cachedAnswer;
 * ```
 */
export function isBreakerOpenError(value: unknown): value is BreakerOpenError {
  return hasBrand(value, OPEN_BRAND);
}

/**
 * True when `value` is a {@link BreakerProbeTimeoutError}, from this or any other copy of the
 * package.
 *
 * @example
 * ```ts
 * if (isBreakerProbeTimeoutError(error)) metrics.probeTimeouts++;
 * ```
 */
export function isBreakerProbeTimeoutError(value: unknown): value is BreakerProbeTimeoutError {
  return hasBrand(value, PROBE_TIMEOUT_BRAND);
}

/**
 * True when `value` is any error `@x/breaker` rejects a call with: a {@link BreakerOpenError} or a
 * {@link BreakerProbeTimeoutError}. (What `ignoreOutcome()` makes is `fn`'s, and never reaches a
 * caller: the breaker rejects with its `reason` instead.)
 *
 * @example
 * ```ts
 * if (isBreakerError(error)) log.warn(error.code);
 * ```
 */
export function isBreakerError(
  value: unknown,
): value is BreakerOpenError | BreakerProbeTimeoutError {
  return isBreakerOpenError(value) || isBreakerProbeTimeoutError(value);
}
