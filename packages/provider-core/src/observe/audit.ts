import type { Topic } from '@x/internal';
import type { CredentialOutcome, CredentialSource } from '../credentials';

/** Fields every audit event carries. */
export interface AuditBase {
  /** The provider's `name` option (its id by default). */
  provider: string;
  /** `Date.now()` when it happened. */
  time: number;
}

/**
 * The provider read its credential: a fixed one (`apiKey`, a key read from the environment, a
 * key header) once, when the first request carries it; a `getApiKey()` callback's on every call.
 * Never the value.
 */
export interface CredentialFetchedAudit extends AuditBase {
  type: 'credential-fetched';
  source: CredentialSource;
  /**
   * `empty`: the callback returned no key (the fixed `apiKey`, if any, was used); `timeout`,
   * `closed`, `aborted`: the call stopped waiting for it (a deadline, `close()` or `destroy()`,
   * the caller's abort), and nothing was sent.
   */
  outcome: CredentialOutcome;
  /** The environment variable, for `source: 'env'`. */
  variable?: string | undefined;
}

/** The server refused a request for its credentials (401 or 403). */
export interface AuthRejectedAudit extends AuditBase {
  type: 'auth-rejected';
  endpoint: string;
  status: number;
  model: string | undefined;
}

/** Someone forced the breaker by hand: `open()`, `close()`, `isolate()` or its release. */
export interface BreakerManualAudit extends AuditBase {
  type: 'breaker-manual';
  /** The breaker's name. */
  breaker: string;
  action: 'open' | 'close' | 'isolate' | 'release';
  from: string;
  to: string;
}

/** A secret was scrubbed from a server's text: that it happened and where, never what. */
export interface SecretScrubbedAudit extends AuditBase {
  type: 'secret-scrubbed';
  /** The endpoint whose answer held it, when known. */
  endpoint: string | undefined;
  /** How many occurrences were replaced by `[redacted]`. */
  occurrences: number;
}

/** Payload of `onAudit` and `x:<package>:audit`, told apart by `type`. */
export type AuditEvent =
  | CredentialFetchedAudit
  | AuthRejectedAudit
  | BreakerManualAudit
  | SecretScrubbedAudit;

/** Distributes without `provider` and `time`, which the emitter adds. */
type AuditInput = AuditEvent extends infer E
  ? E extends AuditEvent
    ? Omit<E, 'provider' | 'time'>
    : never
  : never;

const MANUAL: Record<string, BreakerManualAudit['action']> = {
  'manual-open': 'open',
  'manual-close': 'close',
  isolate: 'isolate',
  release: 'release',
};

/** The manual action a breaker transition reason stands for, if it was one. */
export function manualAction(reason: string): BreakerManualAudit['action'] | undefined {
  return MANUAL[reason];
}

/** Builds audit events of one provider and publishes them on its `audit` topic. */
export class Audit {
  readonly #topic: Topic<AuditEvent>;
  readonly #provider: string;

  constructor(topic: Topic<AuditEvent>, provider: string) {
    this.#topic = topic;
    this.#provider = provider;
  }

  emit(event: AuditInput): void {
    if (!this.#topic.active) return;
    this.#topic.emit({ ...event, provider: this.#provider, time: Date.now() } as AuditEvent);
  }
}
