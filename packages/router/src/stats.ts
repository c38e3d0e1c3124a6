import { countFailureCode } from '@x/internal';
import { type CallCounts, callCounts } from '@x/provider-core';
import type { Deployment, Operation } from './deployment';
import type { HealthStatus } from './health';

/** Counters of one model group. */
export interface GroupStats {
  /** Calls that named the group. */
  requests: number;
  successes: number;
  failures: number;
  /** Times a call of the group moved on to another deployment after a failure. */
  fallbacks: number;
}

/** One deployment as `stats()` shows it. */
export interface DeploymentStats {
  group: string;
  model: string;
  weight: number;
  priority: number;
  tags: string[];
  status: HealthStatus;
  /** Ms left of its cooldown, while `cooling`. */
  cooldownRemainingMs: number | undefined;
  /** Its provider's breaker state, when it has a breaker. */
  breaker: string | undefined;
  /** Calls of this router in flight on it. */
  inFlight: number;
  /** Calls made to it. */
  calls: number;
  /** Calls it answered (a stream: once its last chunk arrived). */
  successes: number;
  failures: number;
  /** Times it was passed over without a call. */
  skipped: number;
  cooldowns: number;
  /** Moving averages of answered calls, in ms (`stream`: to the first chunk, however it ends). */
  latencyMs: Record<Operation, number | undefined>;
  /** Its context window, configured or learnt (an overflow error, Ollama's `/api/ps`). */
  contextWindow: number | undefined;
  /**
   * Its model's trained maximum (Ollama's `/api/show`), once looked up while `contextWindow` was
   * unknown: an upper bound of the window, never taken as it.
   */
  contextWindowMax: number | undefined;
  /** The share of its quota left, in [0, 1], with the `most-quota-left` strategy. */
  quotaLeft: number | undefined;
}

/** A JSON-serialisable snapshot of a router. Counters never reset. */
export interface RouterStats extends CallCounts {
  /** Failures by error `code` (`X_ROUTER_ALL_FAILED`, or a code that never falls back). */
  failuresByCode: Record<string, number>;
  streams: number;
  embeddings: number;
  /** Times a call moved on to another deployment after a failure. */
  fallbacks: number;
  /** Cooldowns started here (`local`) or told by another instance (`shared`). */
  cooldowns: { local: number; shared: number };
  /** Deployments back in rotation after a probe here, or told by another instance. */
  recoveries: { probe: number; shared: number };
  strategy: string;
  groups: Record<string, GroupStats>;
  deployments: Record<string, DeploymentStats>;
  /** The shared state: `{ kind: 'local' }` without one. */
  state: Record<string, unknown>;
}

export { MAX_FAILURE_CODES } from '@x/internal';

/** The router's counters. */
export class RouterCounters {
  requests = 0;
  successes = 0;
  failures = 0;
  readonly failuresByCode: Record<string, number> = {};
  inFlight = 0;
  cancelled = 0;
  streams = 0;
  embeddings = 0;
  fallbacks = 0;
  readonly cooldowns = { local: 0, shared: 0 };
  readonly recoveries = { probe: 0, shared: 0 };
  readonly groups = new Map<string, GroupStats>();

  group(name: string): GroupStats {
    let stats = this.groups.get(name);
    if (stats === undefined) {
      stats = { requests: 0, successes: 0, failures: 0, fallbacks: 0 };
      this.groups.set(name, stats);
    }
    return stats;
  }

  /** Counts a failed call under its error's `code`, bounded (`countFailureCode`). */
  failed(code: string): void {
    this.failures++;
    countFailureCode(this.failuresByCode, code);
  }
}

function deploymentStats(d: Deployment, now: number, quota: boolean): DeploymentStats {
  const status = d.health.status(now);
  return {
    group: d.group,
    model: d.model,
    weight: d.weight,
    priority: d.priority,
    tags: [...d.tags],
    status,
    cooldownRemainingMs: status === 'cooling' ? d.health.remainingMs(now) : undefined,
    breaker: d.breakerState(),
    inFlight: d.inFlight,
    calls: d.calls,
    successes: d.successes,
    failures: d.failures,
    skipped: d.skipped,
    cooldowns: d.health.cooldowns,
    latencyMs: {
      complete: d.latency.complete.value,
      stream: d.latency.stream.value,
      embed: d.latency.embed.value,
    },
    contextWindow: d.contextWindow,
    contextWindowMax: d.windowUpperBound,
    quotaLeft: quota ? d.quota.read(d.provider, now, Date.now()) : undefined,
  };
}

export function snapshot(
  counters: RouterCounters,
  deployments: readonly Deployment[],
  strategy: string,
  state: Record<string, unknown>,
): RouterStats {
  const now = performance.now();
  const groups: Record<string, GroupStats> = {};
  for (const d of deployments) groups[d.group] = { ...counters.group(d.group) };
  const byId: Record<string, DeploymentStats> = {};
  const quota = strategy === 'most-quota-left';
  for (const d of deployments) byId[d.id] = deploymentStats(d, now, quota);
  return {
    ...callCounts(counters),
    streams: counters.streams,
    embeddings: counters.embeddings,
    fallbacks: counters.fallbacks,
    cooldowns: { ...counters.cooldowns },
    recoveries: { ...counters.recoveries },
    strategy,
    groups,
    deployments: byId,
    state,
  };
}
