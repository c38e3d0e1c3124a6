import type { IncomingMessage } from 'node:http';
import { REDACTED, SECRET_HEADER, type Topic } from '@x/internal';
import type { FaultKind } from '../faults';
import type { RequestLogEntry } from '../reports';

/** Bodies above this size are not kept: a log of 1000 long prompts would hold gigabytes. */
const LOG_BODY_LIMIT = 64 * 1024;

/** The headers with every credential's value replaced (a whole value: no encoding of it survives). */
function redact(
  headers: IncomingMessage['headers'],
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const key of Object.keys(headers)) {
    out[key] = SECRET_HEADER.test(key) ? REDACTED : headers[key];
  }
  return out;
}

/** What the log keeps of a request body. */
function loggedBody(raw: Buffer | undefined, body: unknown): unknown {
  if (raw !== undefined && raw.length > LOG_BODY_LIMIT) return `[${raw.length} bytes not logged]`;
  if (body !== undefined) return body;
  return raw !== undefined && raw.length > 0 ? raw.toString('utf8') : undefined;
}

/** What a request looked like when the simulator decided how to answer it. */
export interface RequestFacts {
  readonly id: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: Buffer | undefined;
  readonly body: unknown;
  readonly faults: readonly FaultKind[];
}

/**
 * The request log and the per-request counters: the bounded `requests` list, the `onRequest`
 * topic, and the counts `stats()` reports. Unknown paths share one route key, so a scanner cannot
 * grow the counters without bound.
 */
export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  total = 0;
  active = 0;
  aborted = 0;
  readonly byRoute: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};
  readonly faults: Partial<Record<FaultKind, number>> = {};

  constructor(
    private readonly limit: number,
    private readonly topic: Topic<RequestLogEntry>,
  ) {}

  /** The kept entries, oldest first (a copy). */
  list(): RequestLogEntry[] {
    return this.entries.slice();
  }

  /** Counts a request that arrived; returns its id. */
  arrive(routeKey: string): number {
    this.active++;
    this.byRoute[routeKey] = (this.byRoute[routeKey] ?? 0) + 1;
    return ++this.total;
  }

  countFaults(kinds: readonly FaultKind[]): void {
    for (const kind of kinds) this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  /** Creates the request's entry, unless nobody keeps or reads entries. */
  record(facts: RequestFacts): RequestLogEntry | undefined {
    if (this.limit === 0 && !this.topic.active) return undefined;
    const entry: RequestLogEntry = {
      id: facts.id,
      time: Date.now(),
      method: facts.method,
      path: facts.path,
      headers: redact(facts.headers),
      body: loggedBody(facts.raw, facts.body),
      status: 0,
      faults: facts.faults,
      outcome: 'pending',
      durationMs: 0,
    };
    if (this.limit > 0) {
      this.entries.push(entry);
      if (this.entries.length > this.limit) this.entries.shift();
    }
    return entry;
  }

  /** Closes a request's accounting when its response ends (or its connection went away). */
  finish(
    entry: RequestLogEntry | undefined,
    status: number,
    outcome: RequestLogEntry['outcome'],
    durationMs: number,
  ): void {
    this.active--;
    const key = String(status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (outcome === 'aborted') this.aborted++;
    if (entry !== undefined) {
      entry.status = status;
      entry.outcome = outcome;
      entry.durationMs = durationMs;
      this.topic.emit(entry);
    }
  }
}
