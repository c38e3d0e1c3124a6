import { raceAbort } from '@x/internal';
import { isProviderErrorOfKind } from '@x/provider-core';
import { CallWaits } from './call-waits';
import { countsAgainst, isRequestTooLarge, retryAfterOf, type Verdict } from './classify';
import { Deployment, type Operation } from './deployment';
import { type KnownFields, knownFieldsByGroup } from './drop-fields';
import { isRouterClosedError, RouterClosedError } from './errors';
import { createRouterTopics, type RouterFallbackEvent } from './events';
import type { StartedCooldown } from './health';
import { HeldStreams } from './held-streams';
import { logRouterEvents } from './log';
import type { ResolvedCooldown, ResolvedOptions } from './options';
import type { Candidate, Plan, PlanContext } from './plan';
import { type BoundRouterState, claimProbe } from './state';
import { stateLink } from './state-link';
import { RouterCounters } from './stats';
import { createRank, type Rank } from './strategies';
import { looksUpWindows, lookUpWindow } from './window-lookup';

/** What a `fallback` event says of each verdict that moves a call on. */
const FALLBACK_REASON: Record<Exclude<Verdict, 'fatal'>, RouterFallbackEvent['reason']> = {
  fallback: 'error',
  context: 'context-window',
  unsupported: 'unsupported',
};

/**
 * Everything the calls of one router share: the deployments and their health, the strategy, the
 * counters and events, and the shared state. The call loops (`route-call.ts`, `route-stream.ts`)
 * report to it; it decides cooldowns and tells the other instances.
 */
export class RouterRuntime implements PlanContext {
  readonly deployments: readonly Deployment[];
  readonly byId = new Map<string, Deployment>();
  readonly tiers = new Map<string, Deployment[][]>();
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly contextFallbacks: ReadonlyMap<string, readonly string[]>;
  readonly rank: Rank;
  readonly strategy: string;
  readonly cooldown: ResolvedCooldown | undefined;
  readonly smoothing: number;
  readonly closeProviders: boolean;
  /** The bound of `close()` and `destroy()` on what they close; undefined: none. */
  readonly closeTimeoutMs: number | undefined;
  readonly counters = new RouterCounters();
  readonly topics = createRouterTopics();
  readonly state: BoundRouterState | undefined;
  /** Streams whose caller holds a chunk (`consumerMs`, `destroy()`). */
  readonly held: HeldStreams;
  /**
   * For each group a call may name, the fields some provider the call can reach takes
   * (`dropUnknownFields`); only groups that can reach a deployment that drops fields.
   */
  readonly knownFields: ReadonlyMap<string, KnownFields>;
  closed = false;
  /**
   * `destroy()` ended the calls in flight: whatever ends an attempt from now on is the shutdown,
   * and a stream whose next chunk still arrives ends with `RouterClosedError` rather than handing
   * it over.
   */
  destroying = false;
  /** What the calls in flight wait for and do not control, for `destroy()` to end at once. */
  readonly waits = new CallWaits();
  /** Who waits for the calls in flight to end (`close()`). */
  #whenIdle: (() => void)[] = [];

  constructor(options: ResolvedOptions) {
    this.held = new HeldStreams(options.consumerMs);
    this.deployments = options.deployments.map((d) => new Deployment(d));
    const byGroup = new Map<string, Deployment[]>();
    for (const d of this.deployments) {
      this.byId.set(d.id, d);
      byGroup.set(d.group, [...(byGroup.get(d.group) ?? []), d]);
    }
    // One tier per priority, lowest first, deployments in declaration order.
    for (const [group, list] of byGroup) {
      const priorities = [...new Set(list.map((d) => d.priority))].sort((a, b) => a - b);
      this.tiers.set(
        group,
        priorities.map((p) => list.filter((d) => d.priority === p)),
      );
    }
    this.fallbacks = options.fallbacks;
    this.contextFallbacks = options.contextFallbacks;
    this.knownFields = knownFieldsByGroup(this.tiers, this.fallbacks, this.contextFallbacks);
    this.strategy = options.strategy;
    this.rank = createRank(options.strategy, {
      random: options.random,
      smoothing: options.smoothing,
      exploration: options.exploration,
    });
    this.cooldown = options.cooldown;
    this.smoothing = options.smoothing;
    this.closeProviders = options.closeProviders;
    this.closeTimeoutMs = options.closeTimeoutMs;
    logRouterEvents(options.log, this.topics);
    this.state = options.state?.bind(stateLink(this));
  }

  assertOpen(): void {
    if (this.closed) throw new RouterClosedError();
  }

  /** A call starts: in flight until {@link callFinished}. */
  callStarted(): void {
    this.counters.inFlight++;
  }

  /** A call ended, however: the last one out lets `close()` go on. */
  callFinished(): void {
    if (--this.counters.inFlight > 0) return;
    // Idle: no stream can be held, so the `consumerMs` interval stops now rather than at its
    // next tick, which would outlive `close()`.
    this.held.idle();
    if (this.#whenIdle.length === 0) return;
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  /** Settles once no call is in flight. */
  idle(): Promise<void> {
    if (this.counters.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /**
   * Takes `candidate`'s in-flight slot, then admits it (learns its window when needed, claims its
   * probe when due): true when the call goes on with the slot (given back when its attempt ends),
   * false to pass the deployment over (slot given back). The slot is taken before anything is
   * awaited, so `maxConcurrent` and `least-in-flight` count a call waiting for the deployment's
   * window or probe claim. Rejects, with the slot given back and a probe's slot freed, when the
   * caller aborted meanwhile (`signal.reason`) or this router closed meanwhile
   * (`RouterClosedError`: nothing is called after `close()`, and `destroy()` ends the wait at once).
   */
  enter(
    plan: Plan,
    candidate: Candidate,
    signal: AbortSignal | undefined,
  ): boolean | Promise<boolean> {
    candidate.deployment.inFlight++;
    const admitted = this.#admit(plan, candidate, signal);
    return admitted === true ? true : this.#afterAdmission(admitted, candidate);
  }

  async #afterAdmission(admitted: Promise<boolean>, candidate: Candidate): Promise<boolean> {
    const d = candidate.deployment;
    let ok: boolean;
    try {
      // destroy() ends the wait at once: a lookup or claim that never settles holds nothing.
      ok = await this.waits.until(admitted);
      if (ok && this.closed) {
        // close() came while this call waited: its attempt had not started, so none starts.
        this.unjudged(d, candidate.probe);
        throw new RouterClosedError();
      }
    } catch (error) {
      // What the admission took is given back now (destroy()); what it still does is ignored.
      if (this.destroying) this.unjudged(d, candidate.probe);
      d.inFlight--;
      throw error;
    }
    if (!ok) d.inFlight--;
    return ok;
  }

  /**
   * `destroy()`: ends now, with `RouterClosedError`, every call in flight, whatever its providers
   * do: the streams whose caller holds a chunk (suspended), and every call waiting for a
   * provider's answer, a stream's next chunk, a window lookup or a probe claim.
   */
  endCalls(): void {
    this.destroying = true;
    this.held.endAll(new RouterClosedError());
    this.waits.endAll();
  }

  /**
   * Learns the window (when needed) and claims the probe (when due); false to pass the deployment
   * over. Synchronous (true) in the common case, so concurrent calls see each other's load.
   */
  #admit(
    plan: Plan,
    candidate: Candidate,
    signal: AbortSignal | undefined,
  ): true | Promise<boolean> {
    const d = candidate.deployment;
    // `ps()` is asked again by each call that overflowed while the window is unknown (a model not
    // loaded at the last ask may be now); `modelInfo()`, whose answer does not change, once.
    const lookup =
      plan.needsWindow(d) &&
      looksUpWindows(d) &&
      (!d.windowLooked || typeof d.provider.ps === 'function');
    const claim = candidate.probe && this.state !== undefined && this.cooldown !== undefined;
    if (!lookup && !claim) return true;
    return this.#admitSlowly(plan, candidate, signal, lookup, claim);
  }

  async #admitSlowly(
    plan: Plan,
    candidate: Candidate,
    signal: AbortSignal | undefined,
    lookup: boolean,
    claim: boolean,
  ): Promise<boolean> {
    const d = candidate.deployment;
    if (lookup) {
      const askModelInfo = !d.windowLooked;
      d.windowLooked = true;
      try {
        // Raced with the caller's signal: a provider whose lookup ignores it must not hold an
        // aborted call (and its slot).
        const found = await raceAbort(lookUpWindow(d, signal, askModelInfo), signal);
        if (d.contextWindow === undefined) d.contextWindow = found.window;
        if (found.upperBound !== undefined) d.windowUpperBound = found.upperBound;
      } catch {
        // Unknown then: the deployment is tried, and its own overflow error says.
      }
      // The caller left while the window was looked up (an aborted lookup fails, which would
      // let the deployment be tried): nothing more is called, and a probe frees its slot.
      if (signal?.aborted) {
        this.unjudged(d, candidate.probe);
        throw signal.reason;
      }
      if (plan.tooSmall(d)) {
        if (candidate.probe) d.health.releaseProbe();
        plan.skip(d, 'window-too-small');
        return false;
      }
    }
    if (claim) {
      const ttl = this.cooldown!.durationMs;
      // The claim is a Redis round trip (up to commandTimeoutMs): a caller who leaves meanwhile
      // gets its reason at once, and the probe slot goes to the next call. A claim won for a
      // caller who left expires with its TTL, as a probe that never reported does.
      const claimed = raceAbort(claimProbe(this.state!, d.id, ttl), signal, () =>
        d.health.releaseProbe(),
      );
      if (!(await claimed)) {
        d.health.probeElsewhere(performance.now(), ttl);
        plan.skip(d, 'probing');
        return false;
      }
    }
    return true;
  }

  /** A latency sample of `d` (`stream`: to its first chunk), for `lowest-latency` and stats. */
  measured(d: Deployment, op: Operation, latencyMs: number): void {
    d.latency[op].answered(latencyMs, this.smoothing);
  }

  /**
   * The attempt of `candidate` ended well (`stream`: with its whole answer; its first chunk says
   * nothing of a stream that breaks after it). Only its probe brings a deployment back.
   */
  succeeded(candidate: Candidate): void {
    const d = candidate.deployment;
    d.successes++;
    const now = performance.now();
    const outFor = d.health.outForMs(now);
    if (d.health.succeeded(candidate.probe ? candidate.cooldowns : undefined)) {
      this.counters.recoveries.probe++;
      this.state?.recovered(d.id);
      if (this.topics.recovered.active) {
        this.topics.recovered.emit({
          deployment: d.id,
          group: d.group,
          source: 'probe',
          outForMs: outFor,
        });
      }
    }
  }

  /**
   * The `RouterClosedError` to end the call with when `error` ended its attempt on `d` because
   * this router is closing (a `closed` provider error once it is; once `destroy()` ended the
   * calls, any error: the wait `destroy()` ended, or a provider's failure that came as it did),
   * else undefined. That says nothing of the deployment: no failure, no cooldown, nothing told
   * the other instances; a probe frees its slot.
   */
  shutdownError(error: unknown, d: Deployment, probe: boolean): RouterClosedError | undefined {
    const closedError = this.closed && isProviderErrorOfKind(error, 'closed');
    if (!closedError && !this.destroying) return undefined;
    this.unjudged(d, probe);
    return isRouterClosedError(error) ? error : new RouterClosedError(error);
  }

  /** An attempt that says nothing of `d` (a shutdown, a caller who left): a probe frees its slot. */
  unjudged(d: Deployment, probe: boolean): void {
    if (probe) d.health.releaseProbe();
  }

  /**
   * A call to `d` failed with `error`, judged `verdict`. When the caller aborted, the error is
   * the caller's own (`fatal`: a bad request), or `d` only cannot take this request
   * (`unsupported`: its server's version), it is no failure of `d`: not counted, and a probe
   * only frees its slot. A provider that was closed
   * (`closed`) says nothing of the deployment's server either: another router or its owner
   * closed that object, and a cooldown would take the deployment out on every instance.
   */
  failed(
    d: Deployment,
    op: Operation,
    error: unknown,
    verdict: Verdict,
    probe: boolean,
    callerAborted = false,
  ): void {
    if (!callerAborted && verdict !== 'fatal' && verdict !== 'unsupported') d.failures++;
    const counts = countsAgainst(error, verdict);
    // With cooldowns or without: a deployment that only fails is otherwise never measured, and
    // `lowest-latency` would try it first on every call.
    if (counts) d.latency[op].failed(performance.now());
    const config = this.cooldown;
    if (config !== undefined && verdict === 'fallback' && !isProviderErrorOfKind(error, 'closed')) {
      const now = performance.now();
      // A probe that met the deployment's trouble failed, whatever the error (its breaker may
      // have reopened on it); one refused as too large for it says nothing of its health.
      const cools = counts || (probe && !isRequestTooLarge(error));
      let started = cools ? d.health.failed(now, config, retryAfterOf(error), probe) : undefined;
      // Its breaker is open after this call (it opened on this call's attempts): out here
      // already, so the other instances are told too.
      if (
        started === undefined &&
        d.health.status(now) === 'healthy' &&
        d.breakerState() === 'open'
      ) {
        started = d.health.cool(now, config.durationMs, 'breaker-open', 1);
      }
      if (started !== undefined) this.cooled(d, started, 'local');
      if (cools || started !== undefined) return;
    }
    // A probe that says nothing of the deployment (an abort, an overflow): the next call probes.
    this.unjudged(d, probe);
  }

  /** Records a cooldown: counters, events, and the other instances when it was decided here. */
  cooled(d: Deployment, started: StartedCooldown, source: 'local' | 'shared'): void {
    this.counters.cooldowns[source]++;
    // Measured afresh when it comes back: an old average would keep it out (or in) for nothing.
    for (const op of ['complete', 'stream', 'embed'] as const) d.latency[op].clear();
    if (source === 'local') this.state?.cooldown(d.id, started.durationMs, started.reason);
    if (this.topics.cooldown.active) {
      this.topics.cooldown.emit({
        deployment: d.id,
        group: d.group,
        reason: started.reason,
        durationMs: started.durationMs,
        source,
      });
    }
  }

  /** Emits `fallback` for a call that moves on to another deployment. */
  fellBack(
    plan: Plan,
    op: Operation,
    moved: { from: Deployment; verdict: Exclude<Verdict, 'fatal'>; attempt: number },
  ): void {
    this.counters.fallbacks++;
    this.counters.group(plan.group).fallbacks++;
    const topic = this.topics.fallback;
    if (!topic.active) return;
    const { error } = plan.attempts[moved.attempt]!;
    topic.emit({
      operation: op,
      group: plan.group,
      from: moved.from.id,
      reason: FALLBACK_REASON[moved.verdict],
      code: error.code,
      kind: error.kind,
      message: error.message,
    });
  }
}
