import { type ErrorOrigin, ProviderError } from './errors';
import type { PartialResponse } from './types';

/** Which deadline fired (`probe`: the breaker's `probeTimeoutMs` while it probed the server). */
export type TimeoutKind = 'connect' | 'firstToken' | 'idle' | 'total' | 'probe' | 'consumer';

/** What a {@link ProviderTimeoutError} is made of: which deadline fired, and after how long. */
export interface TimeoutErrorInit {
  timeout: TimeoutKind;
  timeoutMs: number;
  retryable: boolean;
  partial?: PartialResponse | undefined;
  cause?: unknown;
  /**
   * What was waited for, when not what `timeout` names: `the whole answer` of a metadata call,
   * `the error answer's body`, `the server to take the next part of the request body` (an upload).
   */
  waitedFor?: string | undefined;
  /** The option that set the deadline, when not the one `timeout` names (`timeouts.idleMs`...). */
  option?: string | undefined;
  /**
   * The provider's fix for an address where nothing answered (`ConnectionAdvice.remedy`, as its
   * connection error for a refused connection ends): ends the message of a `connect` timeout, which
   * is the same failure, a server that is down or an address that is wrong, seen as a deadline.
   */
  remedy?: string | undefined;
}

/** A deadline fired. Retryable when nothing had arrived yet. */
export class ProviderTimeoutError extends ProviderError {
  declare readonly kind: 'timeout';
  /** Which deadline fired. */
  readonly timeout: TimeoutKind;
  /** Its length in ms. */
  readonly timeoutMs: number;
  /** What had arrived before it fired, if anything. */
  readonly partial: PartialResponse | undefined;

  constructor(init: TimeoutErrorInit & { origin: ErrorOrigin }) {
    const what: Record<TimeoutKind, string> = {
      connect: `connecting to ${init.origin.label}`,
      firstToken: 'the first token',
      idle: 'the next chunk',
      total: 'the whole request',
      probe: 'the answer to a circuit breaker probe',
      consumer: 'the caller to read the next chunk',
    };
    const option =
      init.option ??
      (init.timeout === 'probe' ? 'breaker.probeTimeoutMs' : `timeouts.${init.timeout}Ms`);
    const waited = init.waitedFor ?? what[init.timeout];
    const fix = init.timeout === 'connect' && init.remedy ? `. ${init.remedy}` : '';
    super(`Timed out after ${init.timeoutMs} ms waiting for ${waited} (${option})${fix}`, {
      origin: init.origin,
      kind: 'timeout',
      reason: 'TIMEOUT',
      retryable: init.retryable,
      cause: init.cause,
    });
    this.name = 'ProviderTimeoutError';
    this.timeout = init.timeout;
    this.timeoutMs = init.timeoutMs;
    this.partial = init.partial;
  }
}
