import { failSecret, holdsLogin, optionError, REDACTED } from '@x/internal';
import type { Accumulator } from '../decode/accumulator';
import { type AttemptInit, tell, watch } from '../http/exchange';
import type { ErrorBodyLost, ExchangeObserver } from '../http/failures';
import type { RequestBody } from '../http/transport';
import type { Runtime } from '../runtime';
import { beginCall, type CallScope } from '../stages/call-scope';
import { expectModelLabel } from '../validate';
import { headersAfterKeyWait, type KeyedHeaders, keyClock, sinceKey } from './key-wait';

/** What a call sends on every attempt, decided once per call. */
export interface CallRequest {
  endpoint: string;
  method: AttemptInit['method'];
  headers: Record<string, string>;
  body: RequestBody | undefined;
  /** Error statuses read as answers (`AttemptInit.answers`). */
  answers?: readonly number[] | undefined;
  /** The model, to name it in a not-found error. */
  model: string | undefined;
  /**
   * The call's signal: the caller's, joined with the total deadline and the provider's `ending`
   * (`beginCall`, `joinEnding`).
   */
  signal: AbortSignal | undefined;
  /**
   * The caller's own signal: the breaker ignores what follows its abort, so it must not be given
   * the total deadline, which is the provider's own timeout and a failure of the server.
   */
  callerSignal: AbortSignal | undefined;
  redact: (text: string) => string;
  /** The bound of each wait between two chunks of the answer (`AttemptInit.idleMs`). */
  idleMs: number | undefined;
  /** The call's request: what an error quotes of it is replaced (`scrubPromptEchoes`). */
  echoed?: object | undefined;
  /** A metadata call's: what its whole answer's deadline waits for (`AttemptInit.answering`). */
  answering?: string | undefined;
  /**
   * When `getApiKey()` was called (`KeyedHeaders.askedAt`), for the first attempt only: its
   * first-token deadline counts from there, not from its send ({@link keyClock}). A retry's
   * attempt has its own whole deadline, as without a key callback: whoever retries clears it.
   */
  keyAskedAt?: number | undefined;
}

/** A call's scope (stats, retry budget, deadline, ending); `own`: a signal of its own (a stream's). */
export function callScope(
  rt: Runtime,
  model: string,
  callerSignal: AbortSignal | undefined,
  own?: boolean,
): CallScope {
  return beginCall({
    stats: rt.stats,
    model,
    budget: rt.retry.budget,
    kit: rt.kit,
    totalMs: rt.timeouts.totalMs,
    callerSignal,
    ending: rt.ending,
    own,
  });
}

/**
 * The model a call names, refused when it cannot be a label (too long, the overflow label), holds
 * a configured secret in any form a scrub redacts (a key pasted where the model goes, or its
 * base64 or hex: `Redactor.holdsSecret`) or a login (a URL with its password,
 * `user:password@registry/...`): the model labels stats, metrics, spans, logs and errors as it is.
 * The secret check is once per name; the length is checked first, so a megabyte-long name is not
 * kept in its memo.
 */
export function modelOf(rt: Runtime, model: string): string {
  expectModelLabel('request.model', model);
  if (rt.redactor.holdsSecret(model)) {
    failSecret('request.model', 'a model name, not a credential', model, true);
  }
  if (holdsLogin(model)) {
    // Not shown, as a key is not: the right type, a value no label may hold (a `RangeError`).
    throw optionError(
      [
        'Expected `',
        'request.model',
        `\` to be a model name without credentials (never a URL with a password), got \`${REDACTED}\` (string)`,
      ],
      true,
    );
  }
  return model;
}

/**
 * One attempt of `call`, from the runtime: the one place its transport inputs are gathered. It
 * follows the call's signal, plus the breaker's while the breaker probes (`breakerSignal`).
 */
export function attemptInit(
  rt: Runtime,
  call: CallRequest,
  stream: boolean,
  breakerSignal?: AbortSignal,
  /** An answer read whole: its whole answer's deadline (`AttemptInit.wholeWithinMs`). */
  whole = false,
  /** The attempt's accumulator, told the answer's headers when it asks (`Accumulator.headers`). */
  accumulator?: Accumulator<unknown, unknown>,
): AttemptInit {
  const clock = keyClock(rt, call.keyAskedAt);
  const timeouts = clock?.timeouts ?? rt.timeouts;
  return {
    transport: rt.transport,
    kit: clock?.kit ?? rt.kit,
    httpError: rt.httpError,
    baseUrl: rt.baseUrl,
    path: rt.basePath === '' ? call.endpoint : rt.basePath + call.endpoint,
    origin: rt.origin,
    endpoint: call.endpoint,
    method: call.method,
    headers: call.headers,
    body: call.body,
    answers: call.answers,
    model: call.model,
    stream,
    wholeWithinMs: whole ? timeouts.firstTokenMs : undefined,
    // Said as the deadline's error says it: a lookup's error said again before the request it was
    // made for (`madeBefore`) then keeps where its clock started, not only the whole `firstTokenMs`.
    answering:
      clock === undefined || call.answering === undefined
        ? call.answering
        : sinceKey(call.answering),
    timeouts,
    idleMs: call.idleMs,
    signals: breakerSignal === undefined ? [call.signal] : [call.signal, breakerSignal],
    redact: call.redact,
    observe: accumulator?.headers === undefined ? rt.observe : observing(rt, accumulator),
  };
}

/**
 * The exchange observer of an attempt whose accumulator reads the answer's headers: it is told
 * those of a success, then the provider's own observer all of them. The headers reach the
 * pipeline here only (the readers hand on the content type alone), once per attempt, over either
 * reader; what either throws is ignored, as an observer's is.
 */
function observing(rt: Runtime, accumulator: Accumulator<unknown, unknown>): ExchangeObserver {
  const observe = rt.observe;
  return (endpoint) => {
    const answered = observe === undefined ? undefined : watch(observe, endpoint);
    return (statusCode, headers) => {
      // What the provider's observer wants told if an error body is lost goes back to the reader.
      let lost: ErrorBodyLost | undefined;
      try {
        if (statusCode < 300) accumulator.headers!(headers);
      } finally {
        if (answered !== undefined) lost = tell(answered, statusCode, headers);
      }
      return lost;
    };
  };
}

/**
 * The request headers of a call: built once without a key callback; with one, fetched under the
 * call's signal, `close()` and `timeouts.firstTokenMs` ({@link headersAfterKeyWait}), with when
 * the callback was called (`askedAt`: the first attempt's first-token clock starts there).
 */
export function headersFor(
  rt: Runtime,
  accept: string,
  signal: AbortSignal | undefined,
): KeyedHeaders | Promise<KeyedHeaders> {
  return rt.credentials.static
    ? rt.credentials.fixed(accept)
    : headersAfterKeyWait(rt, accept, signal);
}
