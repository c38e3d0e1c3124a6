import type { PackageLog, Topic } from '@x/internal';
import type { FaultEvent, RequestLogEntry } from './reports';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type OllamaSimLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option: pino, `console`, or any object with some of these methods (a level it
 * lacks falls back to `log`, else is skipped).
 */
export interface OllamaSimLogger {
  debug?: OllamaSimLogMethod | undefined;
  info?: OllamaSimLogMethod | undefined;
  warn?: OllamaSimLogMethod | undefined;
  error?: OllamaSimLogMethod | undefined;
  log?: OllamaSimLogMethod | undefined;
}

/** The request's model, when its JSON body names one (never anything else of the body). */
function modelOf(body: unknown): string | undefined {
  const model = (body as { model?: unknown } | null | undefined)?.model;
  return typeof body === 'object' && typeof model === 'string' ? model : undefined;
}

/** The path without its query: a query may carry a key (`?key=...`), and it says nothing here. */
function pathOnly(path: string): string {
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/**
 * Writes the simulator's events to its logger in the shared format (`{ package: '@x/ollama-sim',
 * event, ... }`): one `debug` entry per request once its response ended (method, path, model,
 * status, outcome, duration, faults, and the headers with every credential's value
 * `[redacted]`), one `info` entry per request a fault was injected into. Never the body: it is the
 * caller's prompt. Subscribes only when a logger was given.
 */
export function logSimEvents(
  log: PackageLog,
  topics: { request: Topic<RequestLogEntry>; fault: Topic<FaultEvent> },
): void {
  if (!log.enabled) return;
  topics.request.on((e) => {
    const path = pathOnly(e.path);
    log.debug(
      {
        event: 'request',
        requestId: e.id,
        method: e.method,
        path,
        model: modelOf(e.body),
        status: e.status,
        outcome: e.outcome,
        durationMs: Math.round(e.durationMs * 10) / 10,
        faults: e.faults.length > 0 ? e.faults : undefined,
        headers: e.headers,
      },
      `${e.method} ${path} ${e.status} ${e.outcome}`,
    );
  });
  topics.fault.on((e) => {
    const path = pathOnly(e.path);
    log.info(
      { event: 'fault', requestId: e.requestId, path, model: e.model, kinds: e.kinds },
      `injected ${e.kinds.join('+')} into ${path}`,
    );
  });
}
