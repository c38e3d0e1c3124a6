import { isProviderErrorOfKind } from '@x/provider-core';
import { describeError } from './classify';
import type { Deployment, Operation } from './deployment';
import type { Rank } from './strategies';
import type { AttemptError, RouteAttempt, RouteInfo, SkipReason } from './types';
import { looksUpWindows } from './window-lookup';

/** What a plan reads of its router. */
export interface PlanContext {
  /** Each group's deployments, by priority (lowest first). */
  readonly tiers: ReadonlyMap<string, readonly (readonly Deployment[])[]>;
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly contextFallbacks: ReadonlyMap<string, readonly string[]>;
  readonly rank: Rank;
}

/** The next deployment to call; `probe` when this call is its probe after a cooldown. */
export interface Candidate {
  deployment: Deployment;
  probe: boolean;
  /**
   * The deployment's count of cooldowns when it was picked: a probe whose cooldown was followed
   * by another (a Retry-After, another instance's) before it answered does not end that one.
   */
  cooldowns: number;
}

const SKIP_KIND: Record<SkipReason, AttemptError['kind']> = {
  cooldown: 'circuit-open',
  'breaker-open': 'circuit-open',
  probing: 'circuit-open',
  busy: 'local-limit',
  'window-too-small': 'context-overflow',
  unsupported: undefined,
};

/** `cooldown` says why and for how long: `Health.describe`. */
const SKIP_MESSAGE: Record<Exclude<SkipReason, 'cooldown'>, string> = {
  'breaker-open': "its provider's circuit breaker is open",
  probing: 'another call is probing it after its cooldown',
  busy: 'maxConcurrent calls in flight',
  'window-too-small':
    'its context window is too small for the prompt (not larger than the one that overflowed)',
  unsupported: 'its provider has no method for this call',
};

/** `window-too-small` for a deployment whose own window is unknown. */
const PRESUMED_WINDOW_MESSAGE =
  'another deployment of its model in its group overflowed, and its own context window is unknown (taken as no larger; set its `contextWindow` if it is)';

/** Deployments of one model in one group, taken to share a window when their own is unknown. */
const sameModel = (a: Deployment, b: Deployment): boolean =>
  a.group === b.group && a.model === b.model;

/** `unsupported` for a deployment that has the method, but not for this call's token ids. */
const NO_TOKEN_IDS_MESSAGE = 'it takes no token ids as embedding input (`embedTokenIds`)';

/**
 * The order in which one call tries deployments: its group's deployments by priority, each
 * priority ranked by the strategy when it is reached, then the fallback groups in their declared
 * order; after a context overflow, only larger windows, and the context fallback groups.
 * Deployments are checked right before their turn: one cooling down, probing, with an open
 * breaker or full is passed over (and listed as skipped).
 */
export class Plan {
  readonly group: string;
  /** Calls that failed and deployments passed over, in order. */
  readonly attempts: RouteAttempt[] = [];
  /** The original errors of the calls that failed. */
  readonly errors: unknown[] = [];
  /** Calls made. */
  calls = 0;
  readonly #ctx: PlanContext;
  readonly #op: Operation;
  readonly #tags: readonly string[] | undefined;
  /** An embedding call whose input is token ids: only deployments that take them are called. */
  readonly #tokenIds: boolean;
  readonly #groups: string[];
  readonly #seen = new Set<Deployment>();
  #groupIndex = 0;
  #tierIndex = 0;
  #queue: Deployment[] = [];
  #position = 0;
  /** After a context overflow: the smallest window worth trying (`undefined`: unknown). */
  #needsWindow: number | undefined;
  #overflowed = false;
  /**
   * Deployments that overflowed with no window known: the others of their model in their group
   * whose window is unknown too are taken as no larger.
   */
  readonly #overflowedUnknown: Deployment[] = [];
  /** The request's `options.num_ctx`: the window an Ollama deployment runs this request with. */
  readonly #requestWindow: number | undefined;

  constructor(
    ctx: PlanContext,
    group: string,
    op: Operation,
    tags: readonly string[] | undefined,
    tokenIds = false,
    requestWindow: number | undefined = undefined,
  ) {
    this.#ctx = ctx;
    this.#requestWindow = requestWindow;
    this.group = group;
    this.#op = op;
    this.#tags = tags;
    this.#tokenIds = tokenIds;
    this.#groups = [group, ...(ctx.fallbacks.get(group) ?? [])];
  }

  /** The next deployment to call, or `undefined` when none is left. */
  next(now: number): Candidate | undefined {
    for (;;) {
      const deployment = this.#queue[this.#position++];
      if (deployment === undefined) {
        if (!this.#advance()) return undefined;
        continue;
      }
      if (this.#seen.has(deployment)) continue;
      this.#seen.add(deployment);
      const reason = this.#skipReason(deployment, now);
      if (reason !== undefined) {
        this.skip(deployment, reason, now);
        continue;
      }
      const probe = deployment.health.status(now) === 'probe-due';
      // Claimed before anything awaits, so a concurrent call passes it over.
      if (probe) deployment.health.startProbe();
      return { deployment, probe, cooldowns: deployment.health.cooldowns };
    }
  }

  /** True when the deployment's window must be learnt before calling it. */
  needsWindow(deployment: Deployment): boolean {
    return (
      this.#overflowed &&
      this.#needsWindow !== undefined &&
      this.#windowOf(deployment) === undefined
    );
  }

  /** The window `deployment` runs this request with, when known. */
  #windowOf(deployment: Deployment): number | undefined {
    if (this.#requestWindow !== undefined && looksUpWindows(deployment)) return this.#requestWindow;
    return deployment.contextWindow;
  }

  /**
   * True when its window, known or taken from another deployment of its model in its group, is
   * too small after an overflow (checked again after `needsWindow`).
   */
  tooSmall(deployment: Deployment): boolean {
    if (!this.#overflowed) return false;
    const need = this.#needsWindow;
    const window = this.#windowOf(deployment) ?? this.#siblingWindow(deployment);
    if (window === undefined) {
      // The trained maximum bounds the window in use: a prompt past it fits no window of that
      // model, one below it may or may not fit.
      const bound = deployment.windowUpperBound;
      if (need !== undefined && bound !== undefined && bound < need) return true;
      return this.#overflowedUnknown.some((d) => sameModel(d, deployment));
    }
    return need !== undefined && window < need;
  }

  /**
   * The largest window an overflow stated on another deployment of its model in its group:
   * deployments of a group are meant to serve alike, so a window learnt on one is taken for the
   * others whose own is unknown (configure `contextWindow` on one whose window is larger).
   */
  #siblingWindow(deployment: Deployment): number | undefined {
    let window: number | undefined;
    for (const tier of this.#ctx.tiers.get(deployment.group) ?? []) {
      for (const d of tier) {
        if (d === deployment || !sameModel(d, deployment) || d.overflowWindow === undefined) {
          continue;
        }
        window = Math.max(window ?? 0, d.overflowWindow);
      }
    }
    return window;
  }

  /** Records a deployment passed over without a call (`now` words a cooldown's time left). */
  skip(deployment: Deployment, reason: SkipReason, now = performance.now()): void {
    deployment.skipped++;
    this.attempts.push({
      deployment: deployment.id,
      group: deployment.group,
      model: deployment.model,
      error: {
        name: 'Skipped',
        code: `X_ROUTER_${reason.toUpperCase().replace(/-/g, '_')}`,
        kind: SKIP_KIND[reason],
        message: this.#skipMessage(deployment, reason, now),
      },
      skipped: reason,
      durationMs: 0,
    });
  }

  /** Records a call that failed and moved on. */
  failed(deployment: Deployment, error: unknown, durationMs: number): void {
    this.errors.push(error);
    this.attempts.push({
      deployment: deployment.id,
      group: deployment.group,
      model: deployment.model,
      error: describeError(error),
      durationMs,
    });
  }

  /**
   * The prompt overflowed `deployment`'s window: from now on only larger windows are tried, and
   * the context fallback groups join the plan.
   */
  overflowed(deployment: Deployment, error: unknown): void {
    this.#overflowed = true;
    let window: number | undefined;
    let needed: number | undefined;
    if (isProviderErrorOfKind(error, 'context-overflow')) {
      const e = error as {
        contextWindow?: number | undefined;
        promptTokens?: number | undefined;
        reserveOutputTokens?: number | undefined;
      };
      // The window the request ran with (Ollama's `num_ctx`, or what the provider could raise
      // it to) is what overflowed. The model's trained maximum is not: a deployment smaller than
      // it may well hold the prompt, and it is never learnt as this deployment's window.
      window = e.contextWindow;
      if (e.promptTokens !== undefined) needed = e.promptTokens + (e.reserveOutputTokens ?? 0);
    }
    if (window !== undefined) {
      deployment.overflowWindow = window;
      // What the request ran with: a configured or looked-up window above it is not what the
      // deployment holds; one below it is kept (a learnt window never exceeds a configured one).
      deployment.contextWindow = Math.min(deployment.contextWindow ?? window, window);
    }
    const overflowed = deployment.contextWindow ?? window;
    if (overflowed === undefined) this.#overflowedUnknown.push(deployment);
    const larger = overflowed === undefined ? undefined : overflowed + 1;
    const need = Math.max(needed ?? 0, larger ?? 0, this.#needsWindow ?? 0);
    this.#needsWindow = need > 0 ? need : undefined;
    for (const group of this.#ctx.contextFallbacks.get(this.group) ?? []) {
      if (!this.#groups.includes(group)) this.#groups.push(group);
    }
  }

  /**
   * The route of an answer served by `deployment`, sent the request without `dropped`
   * (`dropUnknownFields`).
   */
  route(deployment: Deployment, dropped: string[] | undefined): RouteInfo {
    const route: RouteInfo = {
      group: this.group,
      deployment: deployment.id,
      servedBy: deployment.group,
      model: deployment.model,
      attempts: this.attempts.filter((a) => a.skipped === undefined),
    };
    if (dropped !== undefined) route.droppedFields = dropped;
    return route;
  }

  #skipReason(deployment: Deployment, now: number): SkipReason | undefined {
    if (!deployment.supports(this.#op)) return 'unsupported';
    if (this.#tokenIds && !deployment.embedTokenIds) return 'unsupported';
    if (this.tooSmall(deployment)) return 'window-too-small';
    const status = deployment.health.status(now);
    if (status === 'cooling') return 'cooldown';
    if (status === 'probing') return 'probing';
    if (deployment.breakerState() === 'open') return 'breaker-open';
    if (deployment.inFlight >= deployment.maxConcurrent) return 'busy';
    return undefined;
  }

  /** Why it was passed over, in words (`cooldown`: why and for how long still). */
  #skipMessage(deployment: Deployment, reason: SkipReason, now: number): string {
    if (reason === 'cooldown') return deployment.health.describe(now);
    if (reason === 'unsupported' && deployment.supports(this.#op)) return NO_TOKEN_IDS_MESSAGE;
    if (reason === 'window-too-small' && deployment.contextWindow === undefined) {
      return PRESUMED_WINDOW_MESSAGE;
    }
    return SKIP_MESSAGE[reason];
  }

  /** Moves to the next priority of the group, or to the next group; false at the end. */
  #advance(): boolean {
    for (;;) {
      const group = this.#groups[this.#groupIndex];
      if (group === undefined) return false;
      const tiers = this.#ctx.tiers.get(group) ?? [];
      const tier = tiers[this.#tierIndex++];
      if (tier === undefined) {
        this.#groupIndex++;
        this.#tierIndex = 0;
        continue;
      }
      const eligible = tier.filter((d) => !this.#seen.has(d) && d.hasTags(this.#tags));
      if (eligible.length === 0) continue;
      this.#queue = this.#ctx.rank(eligible, this.#op);
      this.#position = 0;
      return true;
    }
  }
}
