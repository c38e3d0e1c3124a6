/** What a shared state may do to a router: the other instances' news, applied to its own view. */
import { MAX_TIMER_MS } from '@x/internal';
import type { ResolvedCooldown } from './options';
import type { RouterRuntime } from './runtime';
import type { CooldownReason, StateLink } from './state';

/**
 * How much later a shared cooldown may end than this instance's own and still be the same one:
 * instances learn a cooldown milliseconds apart, and Redis' messages take milliseconds more.
 */
const SAME_COOLDOWN_MS = 250;

/**
 * The longest cooldown this router decides itself (`durationMs`, or a Retry-After up to
 * `maxRetryAfterMs`): what another instance tells, or a key another program wrote, is capped to
 * it, so no news keeps a deployment out longer than this router's own configuration would.
 */
function longestCooldown(config: ResolvedCooldown): number {
  return Math.min(MAX_TIMER_MS, Math.max(config.durationMs, config.maxRetryAfterMs));
}

/** The link a shared state uses to reach the router of `rt`. */
export function stateLink(rt: RouterRuntime): StateLink {
  return {
    deployments: rt.deployments.map((d) => d.id),
    cooldown: (id: string, durationMs: number, reason: CooldownReason) => {
      const d = rt.byId.get(id);
      const config = rt.cooldown;
      // NaN, 0 or less would send the deployment straight to its probe: no cooldown at all.
      if (d === undefined || config === undefined || !(durationMs > 0)) return;
      const ms = Math.min(durationMs, longestCooldown(config));
      const now = performance.now();
      // Already out for about as long: nothing new. Ends a little later are the same cooldown
      // seen from another instance (it learned it a few ms later, and the message took a few
      // more to come back), such as the running cooldowns every instance writes back when Redis
      // returns: counting those again would report this instance's own decision as another's.
      if (
        d.health.status(now) === 'cooling' &&
        d.health.remainingMs(now) >= ms - SAME_COOLDOWN_MS
      ) {
        return;
      }
      rt.cooled(d, d.health.coolShared(now, ms, reason), 'shared');
    },
    recovered: (id: string) => {
      const d = rt.byId.get(id);
      if (d === undefined) return;
      const now = performance.now();
      if (d.health.status(now) === 'healthy') return;
      const outForMs = d.health.outForMs(now);
      d.health.recover();
      rt.counters.recoveries.shared++;
      if (rt.topics.recovered.active) {
        rt.topics.recovered.emit({
          deployment: id,
          group: d.group,
          source: 'shared',
          outForMs,
        });
      }
    },
    active: () => {
      const now = performance.now();
      return rt.deployments
        .filter((d) => d.health.status(now) === 'cooling')
        .map((d) => ({
          deployment: d.id,
          remainingMs: d.health.remainingMs(now),
          reason: d.health.reason ?? 'failures',
        }));
    },
    unavailable: (event) => rt.topics['state-unavailable'].emit(event),
    available: (event) => rt.topics['state-recovered'].emit(event),
  };
}
