import type { FaultKind } from './faults';

/** One request as the simulator received it (kept in the bounded `requests` log). */
export interface RequestLogEntry {
  /** Sequence number, from 1. */
  readonly id: number;
  /** Arrival time, ms since epoch. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  /**
   * Request headers; credentials are `'[redacted]'`: `authorization`, `proxy-authorization`,
   * `cookie` and any header whose name says key, token, secret, password, session, credential or
   * signature (`x-api-key`, `x-auth-token`...).
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The decoded JSON body, the raw text when it was not JSON, `'[N bytes not logged]'` above 64 KiB, or undefined. */
  readonly body: unknown;
  /** HTTP status sent (0 when the connection was destroyed before any header). */
  status: number;
  /** Faults applied to this request. */
  readonly faults: readonly FaultKind[];
  /** `'completed'`, `'aborted'` (client went away) or `'cut'` (a fault ended it). */
  outcome: 'completed' | 'aborted' | 'cut' | 'pending';
  /** Time until the response ended, ms. */
  durationMs: number;
}

/** A JSON-serialisable snapshot of the simulator's counters (never reset). */
export interface OllamaSimStats {
  readonly requests: number;
  readonly active: number;
  /** Requests waiting now: for a slot on their model, or in the scheduler's queue for a load. */
  readonly queued: number;
  readonly peakQueued: number;
  /** Requests refused with 503 because the scheduler's queue (`maxQueue`) was full. */
  readonly rejected: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faults: Readonly<Partial<Record<FaultKind, number>>>;
  readonly promptTokens: number;
  readonly evalTokens: number;
  readonly streams: number;
  readonly truncatedPrompts: number;
  /** Embedding vectors computed; a request whose client left stops adding to it. */
  readonly embeddings: number;
  readonly aborted: number;
  /** Requests answered by a `fixtures` entry (the `replay` fault is counted in `faults`). */
  readonly replayed: number;
  /**
   * Requests with `fixtures` for their method and path but none compatible with them (same
   * `model`, `stream` mode, tools, structured-output `format` and thinking; the rule is in the
   * README's Fixtures section), answered by the simulator itself.
   */
  readonly replayMisses: number;
  readonly connections: number;
  readonly loads: number;
  readonly loadedModels: readonly string[];
  readonly listening: boolean;
  /**
   * Requests admitted and rejected (429) by the `quota` per API key, keyed by `key_` + the first
   * 12 hex digits of the key's sha256 (`anonymous` without a key); empty without a quota.
   */
  readonly quota: Readonly<
    Record<string, { readonly admitted: number; readonly rejected: number }>
  >;
}

/** What `onFault` listeners receive. */
export interface FaultEvent {
  readonly requestId: number;
  readonly path: string;
  readonly model: string | undefined;
  readonly kinds: readonly FaultKind[];
}
