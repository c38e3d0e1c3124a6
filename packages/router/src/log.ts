import { type LogFields, type PackageLog, redactUrlCredentials } from '@x/internal';
import type { RouterTopics } from './events';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type RouterLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods (a level it
 * lacks falls back to `log`, else is skipped).
 */
export interface RouterLogger {
  debug?: RouterLogMethod | undefined;
  info?: RouterLogMethod | undefined;
  warn?: RouterLogMethod | undefined;
  error?: RouterLogMethod | undefined;
  log?: RouterLogMethod | undefined;
}

/**
 * The last guard of every string of a log entry: the userinfo of any URL (a Redis connection
 * string quoted by a driver). What the router copies from a provider's error was scrubbed where
 * it was copied (`describeError`), for the events as much as for the logs; the wider rules used there
 * would also hide a deployment id holding a long run of letters and digits.
 */
export const redactRouterLog = redactUrlCredentials;

/**
 * Writes the router's events to its logger in the shared format (`{ package: '@x/router', event,
 * group, deployment, code, ... }`). Subscribes only when a logger was given, so a silent router
 * builds no event for it.
 *
 * What an operator must see is `warn`: a deployment taken out of rotation, the shared state
 * unreachable. State changes back are `info`, as is a fallback (the call is still served). A call
 * that failed everywhere is `error`; each answer is `debug`.
 */
export function logRouterEvents(log: PackageLog, topics: RouterTopics): void {
  if (!log.enabled) return;
  topics.response.on((e) => {
    const fields: LogFields = {
      event: 'response',
      operation: e.operation,
      group: e.group,
      deployment: e.deployment,
      servedBy: e.servedBy,
      fallbacks: e.fallbacks,
      latencyMs: Math.round(e.latencyMs),
    };
    let message = `${e.group} answered by ${e.deployment}`;
    if (e.droppedFields !== undefined) {
      fields.droppedFields = e.droppedFields;
      message += ` (sent without ${e.droppedFields.join(', ')})`;
    }
    log.debug(fields, message);
  });
  topics.error.on((e) =>
    log.error(
      {
        event: 'call-failed',
        operation: e.operation,
        group: e.group,
        code: e.code,
        error: e.name,
        calls: e.calls,
      },
      `${e.group} failed after ${e.calls} call(s): ${e.message}`,
    ),
  );
  topics.fallback.on((e) =>
    log.info(
      {
        event: 'fallback',
        operation: e.operation,
        group: e.group,
        deployment: e.from,
        reason: e.reason,
        code: e.code,
        kind: e.kind,
      },
      e.reason === 'unsupported'
        ? `${e.from} cannot take the request (unsupported): falling back: ${e.message}`
        : `${e.from} failed (${e.reason}): falling back: ${e.message}`,
    ),
  );
  topics.cooldown.on((e) =>
    log.warn(
      {
        event: 'cooldown',
        group: e.group,
        deployment: e.deployment,
        reason: e.reason,
        durationMs: Math.round(e.durationMs),
        source: e.source,
      },
      `${e.deployment} out of rotation for ${Math.round(e.durationMs)} ms (${e.reason}, ${e.source})`,
    ),
  );
  topics.recovered.on((e) =>
    log.info(
      {
        event: 'recovered',
        group: e.group,
        deployment: e.deployment,
        source: e.source,
        outForMs: Math.round(e.outForMs),
      },
      `${e.deployment} back in rotation after ${Math.round(e.outForMs)} ms (${e.source})`,
    ),
  );
  topics['state-unavailable'].on((e) =>
    log.warn(
      { event: 'state-unavailable', kind: e.kind, reason: e.reason, error: e.error },
      `the shared ${e.kind} state is unavailable (${e.reason}): cooldowns are this instance's own`,
    ),
  );
  topics['state-recovered'].on((e) =>
    log.info(
      { event: 'state-recovered', kind: e.kind, downMs: Math.round(e.downMs) },
      `the shared ${e.kind} state is back after ${Math.round(e.downMs)} ms`,
    ),
  );
}
