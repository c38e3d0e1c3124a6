/**
 * Where cooldowns are shared between router instances. A router always keeps its own view of
 * every deployment, in memory, and decides from it without any I/O; a shared state only carries
 * what one instance decided (a cooldown, a recovery) to the others, and elects one probe per
 * deployment. `@x/router/redis` implements it over Redis.
 */

/** Why a deployment was taken out of rotation. */
export type CooldownReason =
  /** `cooldown.failures` failures in a row within `cooldown.windowMs`. */
  | 'failures'
  /** A 429 (or a local limit) said when to come back: the cooldown lasts that long. */
  | 'retry-after'
  /** The one call let through after a cooldown failed. */
  | 'probe-failed'
  /** A failure opened its provider's circuit breaker here: the others learn of it. */
  | 'breaker-open';

/** A cooldown still running in this instance. */
export interface ActiveCooldown {
  deployment: string;
  remainingMs: number;
  reason: CooldownReason;
}

/** Payload of `onStateUnavailable` and `x:router:state-unavailable`. */
export interface StateUnavailableEvent {
  /** The state's kind (`redis`). */
  kind: string;
  /**
   * `disconnected`: the connection closed; `timeout` or `error`: a command failed, Redis
   * refused the connection (`NOAUTH`, `WRONGPASS`, `NOPERM`, `LOADING`...), or a script's reply
   * was not its own (`UNEXPECTED_REPLY`).
   */
  reason: 'disconnected' | 'timeout' | 'error';
  /**
   * Redis' error code (`WRONGPASS`...), else the error's `code` or `name` (never its message,
   * which can hold connection details).
   */
  error: string | undefined;
}

/**
 * Payload of `onStateRecovered` and `x:router:state-recovered`: the state works again (Redis: a
 * command succeeded; an error reply, however fast, is no recovery).
 */
export interface StateRecoveredEvent {
  kind: string;
  /** How long the state was unavailable, in ms. */
  downMs: number;
}

/** What a router hands its state when it binds it. */
export interface StateLink {
  /** The router's deployment ids. */
  readonly deployments: readonly string[];
  /** Another instance took a deployment out for `durationMs` from now. */
  cooldown(deployment: string, durationMs: number, reason: CooldownReason): void;
  /** Another instance saw a deployment answer again. */
  recovered(deployment: string): void;
  /** This instance's running cooldowns, to hand back to a store that lost them (a restart). */
  active(): ActiveCooldown[];
  /** The state stopped answering: the router decides from its own view alone, and says so. */
  unavailable(event: StateUnavailableEvent): void;
  /** The state answers again. */
  available(event: StateRecoveredEvent): void;
}

/** A state bound to one router. */
export interface BoundRouterState {
  /** Tells the other instances that `deployment` is out for `durationMs`. Never throws. */
  cooldown(deployment: string, durationMs: number, reason: CooldownReason): void;
  /** Tells the other instances that `deployment` answered its probe. Never throws. */
  recovered(deployment: string): void;
  /**
   * After a cooldown: true when this instance may send the one probe (no other instance claimed
   * it within `ttlMs`). Resolves true when the state is unavailable: each instance then probes
   * on its own.
   */
  claimProbe(deployment: string, ttlMs: number): Promise<boolean>;
  /** A JSON-serialisable snapshot (in the router's `stats().state`). */
  stats(): Record<string, unknown>;
  /** Frees what the binding holds (never a client the user passed in). */
  close(): Promise<void>;
}

/** A shared state, before it is bound to a router (`createRedisRouterState()` returns one). */
export interface RouterState {
  /** Called once by `createRouter`; a state serves one router. */
  bind(link: StateLink): BoundRouterState;
}

/**
 * `state`'s probe claim of `deployment`. A state that fails to answer (its promise rejects, or it
 * throws) is an unavailable one: this instance probes, as `claimProbe` resolves then. Its error
 * must not become the call's (another deployment may answer) nor leave the probe slot taken,
 * which would keep the deployment out for good.
 */
export function claimProbe(
  state: BoundRouterState,
  deployment: string,
  ttlMs: number,
): Promise<boolean> {
  try {
    return Promise.resolve(state.claimProbe(deployment, ttlMs)).catch(() => true);
  } catch {
    return Promise.resolve(true);
  }
}
