import type { ErrorKit } from '../error-kit';
import type { ResolvedTimeouts } from '../options';
import { markWebPageAnswer } from '../pipeline/web-page-answer';
import type { ProviderTimeoutError, TimeoutKind } from '../timeout-error';
import type { AttemptSignal } from './attempt-signal';
import {
  describeRequest,
  type ErrorBodyLost,
  type ExchangeAnswered,
  type ExchangeObserver,
  type HttpErrorMapper,
  isWebPageFailure,
} from './failures';
import { noteMetadataWait } from './metadata-wait';
import {
  header,
  isUpload,
  type RequestBody,
  type Transport,
  type TransportRequestOptions,
  type TransportResponse,
} from './transport';
import { Watchdog } from './watchdog';

/** One HTTP attempt. */
export interface AttemptInit {
  transport: Transport;
  kit: ErrorKit;
  httpError: HttpErrorMapper;
  /** The provider's base URL: the request's URL is it and `endpoint` (joined where it is used). */
  baseUrl: string;
  /** The request's path on `origin`, which a built-in transport sends. */
  path: string;
  /** The origin called, for connection errors (never with credentials). */
  origin: string;
  endpoint: string;
  method: TransportRequestOptions['method'];
  headers: Record<string, string>;
  /** A JSON text, or the bytes of an upload (`http/upload.ts` says when its deadlines run). */
  body: RequestBody | undefined;
  /**
   * Error statuses read as answers (a 404 to `HEAD` that says "not there"): their body goes to the
   * sink as a 200's would, and the caller is told the status (`onContentType`).
   */
  answers?: readonly number[] | undefined;
  /** The model, to name it in a not-found error. */
  model: string | undefined;
  /** True when the answer is a stream: the first-token deadline applies. */
  stream: boolean;
  /**
   * For an answer read whole (a generation asked with `stream: false`, embeddings, server
   * metadata): the whole answer must arrive within this many ms of the send
   * (`timeouts.firstTokenMs`). No chunk moves it, so neither a server that never answers nor one
   * that trickles bytes holds the call.
   */
  wholeWithinMs?: number | undefined;
  /**
   * For a metadata call (`request()`): what its whole answer's deadline waited for, the request it
   * sent (`the server to answer GET /api/tags`, `metadataWait`), instead of "the whole answer".
   */
  answering?: string | undefined;
  timeouts: ResolvedTimeouts;
  /**
   * The bound of each wait between two chunks of the answer (and, with no first-token deadline,
   * from its headers to its first chunk): `timeouts.idleMs`, or longer for a call whose server
   * sends tool calls whole (`idleBound` in `pipeline/send-plan.ts`); never set when
   * `timeouts.idleMs` is off. The waits for an error answer's body and for an upload's socket keep
   * `timeouts.idleMs`.
   */
  idleMs: number | undefined;
  /** Signals that abort the attempt with their reason (caller and total deadline, breaker). */
  signals: ReadonlyArray<AbortSignal | undefined>;
  redact: (text: string) => string;
  /** Sees the exchange: called as it is sent; what it returns gets the answer's status and headers. */
  observe?: ExchangeObserver | undefined;
}

/** Upper bound of an error body that is read. */
export const MAX_ERROR_BODY_BYTES = 65_536;

/**
 * How long a complete answer's body may take to end (usually one tick: the chunk terminator)
 * before its socket is given up.
 */
export const GRACE_MS = 1_000;

/**
 * What the deadline of an answer read whole waits for (`init.wholeWithinMs`): a generation asked
 * whole, embeddings, a health probe; a metadata call names its request instead (`init.answering`).
 */
const WHOLE_ANSWER = 'the whole answer';
/** What an upload's deadline waits for while its body is sent (`http/upload.ts`). */
export const SENDING = 'the server to take the next part of the request body';
/** What the deadline armed at an error answer's headers waits for. */
const ERROR_BODY = "the error answer's body";

/**
 * What an idle deadline longer than `timeouts.idleMs` (`AttemptInit.idleMs`) waited for, and the
 * option that set it: the timeout error names the option to raise.
 */
const WHOLE_TOOL_CALL = Object.freeze({
  waitedFor: 'the next chunk, or a tool call the server sends whole',
  option: 'timeouts.firstTokenMs',
});

/**
 * How a timeout of `kind` after `ms` says what it waited for when it is an idle deadline longer
 * than `timeouts.idleMs`: the wait of a call whose server sends tool calls whole. Else undefined.
 */
export function wholeToolCallWait(
  timeouts: ResolvedTimeouts,
  kind: TimeoutKind,
  ms: number,
): typeof WHOLE_TOOL_CALL | undefined {
  return kind === 'idle' && ms !== timeouts.idleMs ? WHOLE_TOOL_CALL : undefined;
}

/** The first-token and idle deadlines of an attempt, when it has any. */
export function watchdogFor(
  init: AttemptInit,
  control: AttemptSignal,
  gotBytes: () => boolean,
  onFire?: (error: ProviderTimeoutError) => void,
): Watchdog | undefined {
  const { timeouts } = init;
  const needed =
    init.wholeWithinMs !== undefined ||
    (init.stream
      ? timeouts.firstTokenMs !== undefined || timeouts.idleMs !== undefined
      : timeouts.idleMs !== undefined);
  if (!needed) return undefined;
  return new Watchdog((kind: TimeoutKind, ms: number, waitedFor: string | undefined) => {
    // The waits that say what they waited for (an error body, an upload) keep `timeouts.idleMs`.
    const raised = waitedFor === undefined ? wholeToolCallWait(timeouts, kind, ms) : undefined;
    // An answer read whole has no first token: its first-token deadline is the whole answer's,
    // which a metadata call says as the request it sent.
    const whole =
      waitedFor === undefined && kind === 'firstToken' && init.wholeWithinMs !== undefined;
    const error = init.kit.timeout({
      timeout: kind,
      timeoutMs: ms,
      retryable: !gotBytes(),
      // The deadline says what it waited for when it is not what its kind names.
      waitedFor:
        raised?.waitedFor ?? waitedFor ?? (whole ? (init.answering ?? WHOLE_ANSWER) : undefined),
      option: raised?.option,
    });
    if (whole && init.answering !== undefined) noteMetadataWait(error, init.answering);
    control.timeoutError = error;
    control.abort(error);
    onFire?.(error);
  });
}

// The deadlines of one buffered read, in one place for both readers (`direct-attempt.ts` and a
// custom transport's): which runs from the send, which from the headers, and what a chunk does.

/** True when the answer's own deadline (whole answer, first token) runs before its headers. */
function answerDeadline(init: AttemptInit): boolean {
  return (
    init.wholeWithinMs !== undefined || (init.stream && init.timeouts.firstTokenMs !== undefined)
  );
}

/**
 * True when something may cut the attempt before the headers (a deadline, an upload's source that
 * throws): the attempt then needs a signal of its own.
 */
export function deadlineBeforeHeaders(init: AttemptInit): boolean {
  return answerDeadline(init) || isUpload(init.body);
}

/** True for a status the attempt reads as an answer: a success, or one of `init.answers`. */
export function isAnswer(init: AttemptInit, statusCode: number): boolean {
  return statusCode < 300 || init.answers?.includes(statusCode) === true;
}

/** At the send: the whole answer's deadline, else a stream's first-token one. */
export function armAtSend(init: AttemptInit, watchdog: Watchdog | undefined): void {
  const { timeouts } = init;
  if (init.wholeWithinMs !== undefined) watchdog?.arm('firstToken', init.wholeWithinMs);
  else if (init.stream && timeouts.firstTokenMs !== undefined) {
    // Woken by the idle deadline's time at the latest: the switch to it then sets no timer.
    watchdog?.arm('firstToken', timeouts.firstTokenMs, init.idleMs);
  }
}

/**
 * The answer's headers came while an upload was still being sent (a server that answers before
 * it read the whole body): the sending deadline gives way to the answer's, as if the body had
 * been sent.
 */
function leaveSending(init: AttemptInit, watchdog: Watchdog | undefined): void {
  if (watchdog?.waitedFor !== SENDING) return;
  watchdog.disarm();
  armAtSend(init, watchdog);
}

/** At the headers: an answer with no deadline before them starts its idle one. */
export function armAtHeaders(init: AttemptInit, watchdog: Watchdog | undefined): void {
  leaveSending(init, watchdog);
  const { idleMs } = init;
  if (idleMs !== undefined && !answerDeadline(init)) watchdog?.arm('idle', idleMs);
}

/**
 * At the headers of an error answer: its body, read for the error, arrives within one `idleMs`
 * from them (its chunks never move it on), after a stream's first-token deadline too (300 s by
 * default, which would otherwise hold a 503 whose body stalls). A whole answer's deadline (a
 * generation answered whole, a metadata call, a health probe) still bounds it when it ends sooner.
 */
export function armAtErrorHeaders(init: AttemptInit, watchdog: Watchdog | undefined): void {
  leaveSending(init, watchdog);
  const { idleMs } = init.timeouts;
  if (idleMs === undefined) return;
  if (init.wholeWithinMs === undefined) watchdog?.arm('idle', idleMs, idleMs, ERROR_BODY);
  else watchdog?.armSooner('idle', idleMs, ERROR_BODY);
}

/**
 * At a chunk of the body: the first one moves a stream from its first-token deadline to the idle
 * one, each later one moves the idle deadline on; the whole answer's deadline never moves.
 */
export function armAtChunk(
  init: AttemptInit,
  watchdog: Watchdog | undefined,
  first: boolean,
): void {
  if (init.wholeWithinMs !== undefined) return;
  if (!first) watchdog?.touch();
  else if (init.stream && init.timeouts.firstTokenMs !== undefined) {
    const { idleMs } = init;
    if (idleMs !== undefined) watchdog?.arm('idle', idleMs);
    else watchdog?.stop();
  }
}

/** Starts watching one exchange; an observer that throws is the provider's bug, never the call's. */
export function watch(observe: ExchangeObserver, endpoint: string): ExchangeAnswered | undefined {
  try {
    return observe(endpoint);
  } catch {
    return undefined;
  }
}

/** Tells the observer of an answer; returns what it wants told if the error body is then lost. */
export function tell(
  answered: ExchangeAnswered,
  statusCode: number,
  headers: TransportResponse['headers'],
): ErrorBodyLost | undefined {
  try {
    const lost = answered(statusCode, headers);
    return typeof lost === 'function' ? (lost as ErrorBodyLost) : undefined;
  } catch {
    // Same as above: what an observer learns is advice, never a reason to fail the call.
    return undefined;
  }
}

/** Tells an observer an error body was lost, with what of it arrived (same rule: never fails). */
export function tellLost(lost: ErrorBodyLost | undefined, arrived: string): void {
  if (lost === undefined) return;
  try {
    lost(arrived);
  } catch {
    // An observer's bug is not the call's failure.
  }
}

/**
 * The coding of the answer's body other than identity, else undefined: in `Content-Encoding`, or
 * in `Transfer-Encoding` beside `chunked` (`gzip, chunked`, which HTTP/1.1 allows only when the
 * request's TE header asks; undici removes the chunking and leaves the gzip). Neither reader
 * decodes one (a custom transport has undici `request` semantics: the body as sent), and every
 * request asks for identity (`credentials.ts`).
 */
function codingOf(
  headers: TransportResponse['headers'],
): { text: string; transfer: boolean } | undefined {
  const content = codingIn(headers['content-encoding'], 'identity');
  if (content !== undefined) return { text: content, transfer: false };
  const transfer = codingIn(headers['transfer-encoding'], 'chunked');
  return transfer === undefined ? undefined : { text: transfer, transfer: true };
}

/** A header's codings when one is neither identity nor `plain`, else undefined. */
function codingIn(value: string | string[] | undefined, plain: string): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  for (const coding of text.split(',')) {
    const name = coding.trim().toLowerCase();
    if (name !== '' && name !== 'identity' && name !== plain) return text;
  }
  return undefined;
}

/** A header value of the server's, fit for a message: secrets scrubbed, printable, short. */
function shown(init: AttemptInit, value: string): string {
  return init
    .redact(value)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 64);
}

/**
 * The error of an answer whose body is encoded, given at its headers: neither reader decodes one,
 * so its body is never read. A successful answer gets the protocol error (a proxy compressing
 * what passes through it: read as text, the binary would fail later as JSON that is not JSON, or
 * as an answer cut short); an error answer its status error, at once (a body that trickles would
 * otherwise hold the call until a deadline, and lose the status). Undefined for an unencoded one.
 */
export function encodedAnswerError(
  init: AttemptInit,
  statusCode: number,
  headers: TransportResponse['headers'],
): Error | undefined {
  const coding = codingOf(headers);
  if (coding === undefined) return undefined;
  if (statusCode >= 300) return httpErrorOf(init, statusCode, headers, '');
  const asked = init.headers['accept-encoding'];
  return init.kit.protocol({
    origin: init.origin,
    causeCode: 'CONTENT_ENCODING',
    contentEncoding: shown(init, coding.text),
    transferCoding: coding.transfer,
    askedIdentity: asked === undefined || asked.trim().toLowerCase() === 'identity',
  });
}

/**
 * The typed error of an answer with status 300 or above. undici follows no redirect: a 3xx (a
 * proxy sending http to https) is an error that says where to go, not a body to parse. An
 * encoded error body is not decoded: the status says what went wrong, the binary would not.
 */
export function httpErrorOf(
  init: AttemptInit,
  statusCode: number,
  headers: TransportResponse['headers'],
  body: string,
): Error {
  const coding = codingOf(headers);
  const failure = {
    statusCode,
    contentType: header(headers, 'content-type'),
    body:
      coding === undefined
        ? body
        : `(a body in ${coding.transfer ? 'Transfer' : 'Content'}-Encoding ${shown(init, coding.text)})`,
    endpoint: init.endpoint,
    model: init.model,
    headers,
    location: header(headers, 'location'),
    request: describeRequest(init.method, init.baseUrl + init.endpoint),
    redact: init.redact,
  };
  const error = init.httpError(failure);
  // A web page with an error status (a plain web server's 404) is no more the API than a 200
  // page: marked as one (`isWebPageAnswer`). A redirect's page is not: it says where to go.
  return statusCode >= 400 && isWebPageFailure(failure) ? markWebPageAnswer(error) : error;
}
