import type { Breaker } from '@x/breaker';
import { escapeUnseen, type LogLevel, type PackageLog } from '@x/internal';
import { type Audit, type AuditEvent, manualAction } from './audit';
import type { ProviderTopics } from './events';
import type { StatsRecorder } from './stats';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods (a level it
 * lacks falls back to `log`, else is skipped). The shape `@x/internal`'s `PackageLog` writes to,
 * declared here so that the published types stand alone.
 */
export interface Logger {
  debug?: LogMethod | undefined;
  info?: LogMethod | undefined;
  warn?: LogMethod | undefined;
  error?: LogMethod | undefined;
  log?: LogMethod | undefined;
}

/** The level of an audit entry: what needs a look is a warning, routine reads are debug. */
function auditLevel(event: AuditEvent): LogLevel {
  switch (event.type) {
    case 'auth-rejected':
    case 'secret-scrubbed':
      return 'warn';
    case 'credential-fetched':
      // A vault too slow for the deadline needs a look as much as one that failed.
      if (event.outcome === 'failed' || event.outcome === 'timeout') return 'warn';
      // A key callback runs on every request: one line each would drown the rest.
      return event.source === 'getApiKey' ? 'debug' : 'info';
    default:
      return 'info';
  }
}

function auditMessage(event: AuditEvent): string {
  switch (event.type) {
    case 'credential-fetched':
      return `credential from ${event.source}${event.variable ? ` (${event.variable})` : ''}: ${event.outcome}`;
    case 'auth-rejected':
      return `${event.endpoint} refused the credential (HTTP ${event.status})`;
    case 'breaker-manual':
      return `breaker "${event.breaker}" forced by hand: ${event.action} (${event.from} -> ${event.to})`;
    case 'secret-scrubbed':
      return `${event.occurrences} secret occurrence(s) scrubbed from ${event.endpoint ?? 'a server text'}`;
  }
}

/**
 * Writes the provider's events to its logger, one entry each, in the shared format
 * (`{ package, provider, event, model, code, ... }`). Subscribes only when a logger was given, so
 * a silent provider builds no event payload for it. The subscriptions live as long as the topics.
 */
export function logEvents(log: PackageLog, topics: ProviderTopics): void {
  if (!log.enabled) return;
  // A message may hold text the provider did not write (a custom transport's error): escaped, so
  // a line break or a terminal escape in it cannot forge a log line of its own. A joiner between
  // visible characters is kept, as in a server's text (`server-text.ts`).
  const shown = (message: string) => escapeUnseen(message, { keepJoiners: true });
  topics.retry.on((e) =>
    log.warn(
      {
        event: 'retry',
        model: e.model,
        endpoint: e.endpoint,
        code: e.code,
        attempt: e.attempt,
        delayMs: Math.round(e.delayMs),
      },
      `retrying ${e.endpoint} (attempt ${e.attempt}) in ${Math.round(e.delayMs)} ms: ${shown(e.message)}`,
    ),
  );
  // A call its caller aborted is cancelled, not failed: it never reaches this topic.
  topics.error.on((e) =>
    log.error(
      { event: 'call-failed', model: e.model, endpoint: e.endpoint, code: e.code, error: e.name },
      `${e.endpoint} failed: ${shown(e.message)}`,
    ),
  );
  topics.response.on((e) =>
    log.debug(
      {
        event: 'response',
        model: e.model,
        cached: e.cached,
        attempts: e.attempts,
        latencyMs: e.latencyMs === undefined ? undefined : Math.round(e.latencyMs),
        promptTokens: e.usage.promptTokens,
        completionTokens: e.usage.completionTokens,
        finishReason: e.finishReason,
      },
      `answered${e.cached ? ' from the cache' : ''}`,
    ),
  );
  topics.truncated.on((e) =>
    log.warn(
      {
        event: 'truncated',
        model: e.model,
        estimatedPromptTokens: e.estimatedPromptTokens,
        promptEvalCount: e.promptEvalCount,
        numCtx: e.numCtx,
      },
      `the server most likely cut the prompt: ${e.promptEvalCount} tokens counted for about ${e.estimatedPromptTokens}`,
    ),
  );
  topics['context-raised'].on((e) =>
    log.info(
      {
        event: 'context-raised',
        model: e.model,
        from: e.from,
        to: e.to,
        promptTokens: e.promptTokens,
      },
      `context window raised from ${e.from} to ${e.to} tokens`,
    ),
  );
  topics['cache-hit'].on((e) => log.debug({ event: 'cache-hit', model: e.model }, 'cache hit'));
  topics.audit.on((e) => {
    const { type, provider: _provider, time: _time, ...fields } = e;
    log.write(auditLevel(e), { event: 'audit', type, ...fields }, auditMessage(e));
  });
}

/**
 * Follows the breaker's transitions: counted in the stats, logged (`warn` when it opens), and
 * those forced by hand (`open()`, `close()`, `isolate()`, a release) published as audit events.
 */
export function watchBreaker(
  breaker: Breaker,
  stats: StatsRecorder,
  audit: Audit,
  log: PackageLog,
): () => void {
  return breaker.onStateChange((event) => {
    const map = stats.breakerTransitions;
    map[event.to] = (map[event.to] ?? 0) + 1;
    log.write(
      event.to === 'open' ? 'warn' : 'info',
      {
        event: 'breaker-transition',
        breaker: event.breaker,
        from: event.from,
        to: event.to,
        reason: event.reason,
      },
      `breaker "${event.breaker}" ${event.from} -> ${event.to} (${event.reason})`,
    );
    const action = manualAction(event.reason);
    if (action !== undefined) {
      audit.emit({
        type: 'breaker-manual',
        breaker: event.breaker,
        action,
        from: event.from,
        to: event.to,
      });
    }
  });
}
