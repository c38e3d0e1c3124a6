import { expectFunction, PackageLog, Topic } from '@x/internal';
import type { BreakerState } from './errors';
import { logTransitions } from './log';
import type { ResolvedOptions } from './options';
import type { StateChangeEvent, TransitionReason } from './types';

export const CLOSED = 0;
export const OPEN = 1;
export const HALF_OPEN = 2;
export type StateCode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
export const STATE_NAMES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

/**
 * The states and their transitions: closed, open for an open period that grows with failed probes,
 * half-open; manual control (`open`, `close`, `isolate`); the state-change event and the logger.
 * Every transition starts a new generation, which is how an outcome that arrives after the state
 * it started in has ended is recognised as late.
 *
 * The open -> half-open transition has no timer: it happens when the state is next looked at
 * (a call, `state`, `stats()`, `toJSON()`) after `openUntil`.
 */
export abstract class BreakerStateMachine {
  readonly name: string;
  protected readonly options: ResolvedOptions;
  protected stateCode: StateCode = CLOSED;
  /** Incremented on every transition; an outcome from an older generation is late. */
  generation = 0;
  /** `performance.now()` at which an open (not isolated) breaker lets probes through. */
  protected openUntil = 0;
  /** The current open period: `openTimeoutMs`, grown by failed probes up to `maxOpenTimeoutMs`. */
  protected openPeriodMs: number;
  /** Isolations not yet released; while above 0 the breaker stays open. */
  protected isolations = 0;
  protected consecutiveFailures = 0;
  protected consecutiveSuccesses = 0;
  protected probesInFlight = 0;
  /** Times the breaker opened (`stats().opened`). */
  protected timesOpened = 0;
  protected readonly stateChangeTopic = new Topic<StateChangeEvent>('breaker', 'state-change');
  /** Set while a state-change event is being delivered: the transitions it causes, in order. */
  private pendingEvents: StateChangeEvent[] | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.name = options.name;
    this.openPeriodMs = options.openTimeoutMs;
    // Subscribed only when a logger was given, so a silent breaker builds nothing for it. The
    // logger is the first state-change listener; a logger that throws never fails the call whose
    // outcome caused the transition (PackageLog reports it as an XLoggerError warning).
    logTransitions(new PackageLog('breaker', options.logger), this.stateChangeTopic, options.name);
  }

  /**
   * Called on every transition to closed, before its event: the subclass clears its window,
   * rebinds, and (after `probe-success`) carries over the calls a listener started meanwhile.
   */
  protected abstract enteredClosed(reason: TransitionReason): void;

  get state(): BreakerState {
    if (this.stateCode === OPEN && this.isolations === 0 && performance.now() >= this.openUntil)
      this.transition(HALF_OPEN, 'open-timeout');
    return STATE_NAMES[this.stateCode]!;
  }

  protected transition(to: StateCode, reason: TransitionReason): void {
    const from = this.stateCode;
    if (from === to) return;
    this.stateCode = to;
    this.generation++;
    this.probesInFlight = 0;
    this.consecutiveSuccesses = 0;
    if (to === OPEN) {
      this.timesOpened++;
      this.consecutiveFailures = 0;
      this.openUntil = performance.now() + this.openPeriodMs;
    } else if (to === CLOSED) {
      this.consecutiveFailures = 0;
      this.openPeriodMs = this.options.openTimeoutMs;
      this.enteredClosed(reason);
    }
    if (!this.stateChangeTopic.active) return;
    const event: StateChangeEvent = {
      breaker: this.name,
      from: STATE_NAMES[from]!,
      to: STATE_NAMES[to]!,
      reason,
      time: Date.now(),
    };
    // A listener that moves the breaker (close() on open) would otherwise have its event delivered
    // in the middle of this one: later listeners and the channel would see `open>closed` before
    // `closed>open` and end on the wrong state. Its transition happens at once; its event waits.
    if (this.pendingEvents !== undefined) {
      this.pendingEvents.push(event);
      return;
    }
    const pending: StateChangeEvent[] = [];
    this.pendingEvents = pending;
    // emit() never throws; `finally` only makes sure a breaker can never be left queueing for good.
    try {
      this.stateChangeTopic.emit(event);
      // Grows while it is read when a queued event's listener moves the breaker again.
      for (let i = 0; i < pending.length; i++) this.stateChangeTopic.emit(pending[i]!);
    } finally {
      this.pendingEvents = undefined;
    }
  }

  /** A failed probe: open again, for a longer period when growth is configured. */
  protected reopen(reason: TransitionReason): void {
    const { maxOpenTimeoutMs, openTimeoutGrowth } = this.options;
    this.openPeriodMs = Math.min(maxOpenTimeoutMs, this.openPeriodMs * openTimeoutGrowth);
    this.transition(OPEN, reason);
  }

  /** Rest of the open period; 0 unless open; `null` while isolated. */
  protected retryAfter(): number | null {
    if (this.stateCode !== OPEN) return 0;
    if (this.isolations > 0) return null;
    return Math.max(0, Math.ceil(this.openUntil - performance.now()));
  }

  // --- manual control -------------------------------------------------------------------------

  open(): void {
    if (this.isolations > 0) return;
    if (this.stateCode === OPEN) this.openUntil = performance.now() + this.openPeriodMs;
    else this.transition(OPEN, 'manual-open');
  }

  close(): void {
    if (this.isolations > 0) return;
    this.transition(CLOSED, 'manual-close');
  }

  isolate(): () => void {
    this.isolations++;
    this.transition(OPEN, 'isolate');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.isolations === 0) this.transition(CLOSED, 'release');
    };
  }

  onStateChange(listener: (event: StateChangeEvent) => void): () => void {
    return this.stateChangeTopic.on(expectFunction('listener', listener));
  }
}
