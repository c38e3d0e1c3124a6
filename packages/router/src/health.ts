import type { RetryAfter } from './classify';
import type { ResolvedCooldown } from './options';
import type { CooldownReason } from './state';

/**
 * Where a deployment stands:
 * - `healthy`: in rotation;
 * - `cooling`: taken out until its cooldown ends;
 * - `probe-due`: the cooldown ended; the next call that picks it is its probe;
 * - `probing`: that probe is in flight; other calls pass it over until it settles.
 */
export type HealthStatus = 'healthy' | 'cooling' | 'probe-due' | 'probing';

/** A cooldown that has just started, for the events and the shared state. */
export interface StartedCooldown {
  durationMs: number;
  reason: CooldownReason;
  /** Failures in a row that led to it. */
  failures: number;
}

/**
 * The cooldown state of one deployment. No timer: every transition happens when a call reads or
 * reports, comparing `performance.now()` with the end of the cooldown.
 */
export class Health {
  /** Times of the failures since the last success (at most `cooldown.failures` kept). */
  readonly #failures: number[] = [];
  /** End of the cooldown, `performance.now()` time. */
  #until = 0;
  /** A cooldown started and no call has succeeded since: the deployment needs a probe. */
  #out = false;
  #probing = false;
  /** Another instance holds the probe until then (`performance.now()` time). */
  #probeElsewhereUntil = 0;
  #since = 0;
  /** Cooldowns started (here or told by another instance). */
  cooldowns = 0;
  reason: CooldownReason | undefined;
  /** What started the running cooldown, kept for the skip message (set only when one starts). */
  #failuresInRow = 0;
  #cause: string | undefined;
  #shared = false;

  status(now: number): HealthStatus {
    if (!this.#out) return 'healthy';
    if (now < this.#until) return 'cooling';
    return this.#probing || now < this.#probeElsewhereUntil ? 'probing' : 'probe-due';
  }

  /** Ms until the cooldown ends (0 once it has). */
  remainingMs(now: number): number {
    return this.#out ? Math.max(0, this.#until - now) : 0;
  }

  /**
   * Ms until a retry could find the deployment back: what is left of its cooldown, or of another
   * instance's probe claim; 0 in rotation or when its probe is due. `undefined` while a probe of
   * this instance is in flight: it settles whenever its call ends, which nobody can tell.
   */
  retryInMs(now: number): number | undefined {
    switch (this.status(now)) {
      case 'cooling':
        return this.remainingMs(now);
      case 'probing':
        return this.#probing ? undefined : this.#probeElsewhereUntil - now;
      default:
        return 0;
    }
  }

  /** Ms since the deployment was taken out (for `recovered` events). */
  outForMs(now: number): number {
    return this.#out ? now - this.#since : 0;
  }

  /**
   * A failure that counts against the deployment. Returns the cooldown it starts, if any: at
   * once for a `Retry-After` or a failed probe, else after `failures` failures in a row within
   * `windowMs`. Failures of calls that started before a running cooldown add nothing.
   */
  failed(
    now: number,
    config: ResolvedCooldown,
    retryAfter: RetryAfter | undefined,
    probe: boolean,
  ): StartedCooldown | undefined {
    if (retryAfter !== undefined) {
      const durationMs = Math.min(retryAfter.ms, config.maxRetryAfterMs);
      if (durationMs > 0 && now + durationMs > this.#until) {
        const failures = this.#failures.length + 1;
        return this.cool(now, durationMs, 'retry-after', failures, retryAfter.cause);
      }
    }
    if (probe) return this.cool(now, config.durationMs, 'probe-failed', 1);
    if (this.#out) return undefined;
    const failures = this.#failures;
    failures.push(now);
    while (failures.length > 0 && failures[0]! <= now - config.windowMs) failures.shift();
    if (failures.length < config.failures) return undefined;
    return this.cool(now, config.durationMs, 'failures', failures.length);
  }

  /**
   * Takes the deployment out for `durationMs` from `now` (never shortens a running cooldown).
   * `cause` names what asked for a `retry-after` cooldown (`a 429 (Retry-After)`).
   */
  cool(
    now: number,
    durationMs: number,
    reason: CooldownReason,
    failures: number,
    cause?: string,
  ): StartedCooldown {
    this.#failuresInRow = failures;
    this.#cause = cause;
    this.#shared = false;
    if (!this.#out) this.#since = now;
    this.#out = true;
    this.#probing = false;
    this.#probeElsewhereUntil = 0;
    this.#until = Math.max(this.#until, now + durationMs);
    this.#failures.length = 0;
    this.cooldowns++;
    this.reason = reason;
    return { durationMs, reason, failures };
  }

  /** Another instance took the deployment out (it told the reason, not the failures). */
  coolShared(now: number, durationMs: number, reason: CooldownReason): StartedCooldown {
    const started = this.cool(now, durationMs, reason, 0);
    this.#shared = true;
    return started;
  }

  /**
   * Why the deployment is out and for how long still, in words for a skip entry of
   * `RouterError.attempts`: `cooling down for another 12 s after a 429 (Retry-After)`. Built only
   * when a call passes the deployment over, from what `cool` kept.
   */
  describe(now: number): string {
    const left = this.remainingMs(now);
    const time = left < 1000 ? `${Math.ceil(left)} ms` : `${Math.ceil(left / 1000)} s`;
    const elsewhere = this.#shared ? ' on another instance' : '';
    let why: string;
    switch (this.reason) {
      case 'retry-after':
        why = this.#shared ? 'a Retry-After' : (this.#cause ?? 'a Retry-After');
        break;
      case 'probe-failed':
        why = 'its probe failed';
        break;
      case 'breaker-open':
        why = "its provider's circuit breaker opened";
        break;
      default: {
        const n = this.#failuresInRow;
        why = this.#shared || n < 1 ? 'failures' : `${n} failure${n === 1 ? '' : 's'} in a row`;
      }
    }
    return `cooling down for another ${time} after ${why}${elsewhere}`;
  }

  /**
   * A call succeeded. True when that ended a cooldown (the deployment is back in rotation). While
   * the deployment is out, only the probe of the running cooldown brings it back: `probeOf` is
   * the count of cooldowns when the probe was picked (`undefined` for any other call). Any other
   * call that answers meanwhile started before the cooldown: its answer is older news than what
   * took the deployment out (a 429's Retry-After, failures that came later), just as its failure
   * would add nothing to the cooldown.
   */
  succeeded(probeOf: number | undefined): boolean {
    if (!this.#out) {
      this.#failures.length = 0;
      return false;
    }
    if (probeOf !== this.cooldowns) return false;
    this.recover();
    return true;
  }

  /** Back in rotation (a probe answered, here or on another instance). */
  recover(): void {
    this.#out = false;
    this.#probing = false;
    this.#probeElsewhereUntil = 0;
    this.#until = 0;
    this.#failures.length = 0;
  }

  /** This call is the probe: other calls pass the deployment over until it settles. */
  startProbe(): void {
    this.#probing = true;
  }

  /**
   * Another instance claimed the probe: pass the deployment over until it says how the probe went,
   * or until `ttlMs` passes (then probe here).
   */
  probeElsewhere(now: number, ttlMs: number): void {
    this.#probing = false;
    this.#probeElsewhereUntil = now + ttlMs;
  }

  /** The probe ended without a verdict (the caller aborted, a context overflow): probe again. */
  releaseProbe(): void {
    this.#probing = false;
  }
}
