import type { PackageLog, Topic } from '@x/internal';
import type { StateChangeEvent } from './types';

/**
 * Writes one entry per transition to the breaker's logger, in the shared format: `{ package:
 * '@x/breaker', event: 'state-change', breaker, from, to, reason, time }`, at `warn` when the
 * breaker opens (an operator must see it) and `info` otherwise. Subscribes only when a logger was
 * given.
 */
export function logTransitions(
  log: PackageLog,
  topic: Topic<StateChangeEvent>,
  name: string,
): void {
  if (!log.enabled) return;
  const quoted = JSON.stringify(name);
  topic.on((e) =>
    log.write(
      e.to === 'open' ? 'warn' : 'info',
      { event: 'state-change', ...e },
      `breaker ${quoted} ${e.from} -> ${e.to} (${e.reason})`,
    ),
  );
}
