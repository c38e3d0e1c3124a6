import { gatherScrubs, tellScrubs } from '../secrets';
import { AttemptSignal } from './attempt-signal';
import { directAttempt } from './direct-attempt';
import {
  type AttemptInit,
  armAtChunk,
  armAtErrorHeaders,
  armAtHeaders,
  armAtSend,
  deadlineBeforeHeaders,
  encodedAnswerError,
  GRACE_MS,
  httpErrorOf,
  isAnswer,
  MAX_ERROR_BODY_BYTES,
  tell,
  tellLost,
  watch,
  watchdogFor,
} from './exchange';
import { bodyFailure, mapTransportError } from './failures';
import { OneShot } from './shared-timer';
import {
  destroyQuietly,
  directDispatch,
  header,
  ignore,
  readCapped,
  send,
  type TransportBody,
  type TransportResponse,
  takesAnySignal,
} from './transport';
import { bodyToSend } from './upload';

/**
 * Sends the request; maps a failure before the answer, an error status and an encoded answer to
 * typed errors.
 */
async function open(
  init: AttemptInit,
  control: AttemptSignal,
  /** Told of an error answer before its body is read: that read needs a deadline too. */
  onErrorBody?: (body: TransportResponse['body']) => void,
  /** What is sent (`bodyToSend`); the init's own body when not given. */
  body: TransportBody | undefined = init.body as TransportBody | undefined,
): Promise<TransportResponse> {
  const answered = init.observe === undefined ? undefined : watch(init.observe, init.endpoint);
  let response: TransportResponse;
  try {
    response = await send(init.transport, {
      url: init.baseUrl + init.endpoint,
      method: init.method,
      headers: init.headers,
      body,
      signal: control.signal,
    });
  } catch (error) {
    throw control.reason() ?? mapTransportError(error, init);
  }
  const lost =
    answered === undefined ? undefined : tell(answered, response.statusCode, response.headers);
  const encoded = encodedAnswerError(init, response.statusCode, response.headers);
  if (encoded !== undefined) {
    // Refused before its body: destroying it closes the socket.
    destroyQuietly(response.body);
    throw encoded;
  }
  // undici follows no redirect: a 3xx (a proxy sending http to https) is an error that says where
  // to go, not a body to parse.
  if (!isAnswer(init, response.statusCode)) {
    onErrorBody?.(response.body);
    const parts: Buffer[] = [];
    const text = await readCapped(response, MAX_ERROR_BODY_BYTES, parts).catch((error: unknown) => {
      tellLost(lost, Buffer.concat(parts).toString('utf8'));
      throw control.reason() ?? mapTransportError(error, init, true);
    });
    throw httpErrorOf(init, response.statusCode, response.headers, text);
  }
  return response;
}

/**
 * One streamed attempt: sends the request, then yields the body's chunks under the first-token and
 * idle deadlines. Leaving the loop early (or an abort) destroys the body, which closes the socket,
 * so the server stops generating.
 *
 * Errors: an aborted signal's reason as is; the provider's timeout error (retryable before the
 * first byte); its typed HTTP errors; its connection error before the answer; its protocol error
 * for an answer that is not HTTP or is encoded; its incomplete-stream error when the body broke
 * after it started.
 */
export async function* streamAttempt(
  init: AttemptInit,
  /**
   * Asked when the consumer stops early: true when what it read is the whole answer (the final
   * message arrived). The body is then let end, and the socket goes back to the pool, instead of
   * the request being aborted.
   */
  complete?: () => boolean,
  /** Told the answer's content type before its first chunk. */
  onContentType?: (contentType: string | undefined) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  const control = new AttemptSignal(init.signals, true, takesAnySignal(init.transport));
  let gotBytes = false;
  const watchdog = watchdogFor(init, control, () => gotBytes);
  let response: TransportResponse | undefined;
  let finished = false;
  // Whatever this answer's headers, error body and chunks have scrubbed is told once, at the end.
  gatherScrubs(init.redact);
  try {
    // An answer read whole through this reader (a probe) has one deadline for all of it, which
    // no chunk moves on; a stream's first-token one (every other caller streams).
    const whole = init.wholeWithinMs !== undefined;
    armAtSend(init, watchdog);
    response = await open(init, control, () => armAtErrorHeaders(init, watchdog));
    onContentType?.(header(response.headers, 'content-type'));
    let first = true;
    try {
      for await (const chunk of chunksOf(response.body)) {
        gotBytes = true;
        if (whole) {
          // Its one deadline runs on: no chunk moves it, and a pause would restart it on resume
          // (its one consumer reads each chunk at once).
          yield chunk;
          continue;
        }
        if (first) {
          first = false;
          if (init.idleMs !== undefined) watchdog?.arm('idle', init.idleMs);
          else watchdog?.stop();
        } else {
          watchdog?.touch();
        }
        // The consumer may take its time with a chunk: that is not the server's silence.
        watchdog?.pause();
        yield chunk;
        watchdog?.resume();
      }
    } catch (error) {
      throw control.reason() ?? bodyFailure(error, init);
    }
    finished = true;
  } finally {
    watchdog?.stop();
    if (!finished) {
      if (response !== undefined && complete?.() === true && control.reason() === undefined) {
        letBodyEnd(response.body as EndingBody);
      } else {
        // The consumer left early, or an error: release the request and its socket.
        control.abort(control.reason());
        if (response !== undefined) destroyQuietly(response.body);
      }
    }
    control.release();
    tellScrubs(init.redact);
  }
}

/** A body as a Node stream: what both readers here end, give up or destroy. */
type EndingBody = NodeJS.ReadableStream & {
  destroy(error?: Error): void;
  readableEnded?: boolean | undefined;
};

/**
 * The body's chunks. A Node stream's own iterator destroys the stream when the loop is left
 * early, even after the answer's final message: that aborts the request, which makes two or three
 * errors with their stack traces, and closes the socket, on every successful streamed call. Left
 * intact, the body can end on its own (see `letBodyEnd`).
 */
function chunksOf(body: TransportResponse['body']): AsyncIterable<Uint8Array> {
  const iterator = (
    body as { iterator?: ((options: { destroyOnReturn: boolean }) => unknown) | undefined }
  ).iterator;
  return typeof iterator === 'function'
    ? (iterator.call(body, { destroyOnReturn: false }) as AsyncIterable<Uint8Array>)
    : body;
}

/**
 * The answer is complete: its body's end usually follows at once (the chunk terminator), and then
 * the socket goes back to the pool. Anything after the final message (more bytes, a connection
 * left open past the grace) is not read: the body is destroyed, closing that socket.
 */
function letBodyEnd(stream: EndingBody): void {
  stream.on('error', ignore);
  if (stream.readableEnded === true) return;
  // The end is usually one tick away: on the shared timer, waiting for it sets no timer.
  const grace = new OneShot(GRACE_MS, () => stream.destroy());
  const done = () => {
    grace.cancel();
    stream.removeListener('end', done);
    stream.removeListener('data', extra);
  };
  const extra = () => {
    done();
    stream.destroy();
  };
  stream.once('end', done);
  stream.on('data', extra);
  stream.resume();
}

/** Thrown by {@link readAttempt} when the body exceeds its cap and no other error is given. */
export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`The response body exceeded ${limit} bytes`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/**
 * One attempt whose body is handed to `sink` chunk by chunk, no generator hops: the fast path.
 * `sink` returns true once the answer is complete (what follows is not read: the body is
 * given up if it has not ended). At most `maxBytes` are read. The same deadlines and error mapping
 * as {@link streamAttempt}: with `init.stream`, the first-token deadline runs from the send; the
 * idle deadline between chunks. A built-in transport is dispatched to directly
 * (`direct-attempt.ts`); a custom one is called and its body read with `data` events.
 */
export function readAttempt(
  init: AttemptInit,
  maxBytes: number,
  sink: (chunk: Buffer) => boolean,
  onTooLarge: () => unknown = () => new BodyTooLargeError(maxBytes),
  /** Told the answer's content type and status before its first chunk. */
  onContentType?: (contentType: string | undefined, statusCode: number) => void,
): Promise<void> {
  const direct = directDispatch(init.transport);
  return direct !== undefined
    ? directAttempt(init, direct, maxBytes, sink, onTooLarge, onContentType)
    : readFromTransport(init, maxBytes, sink, onTooLarge, onContentType);
}

async function readFromTransport(
  init: AttemptInit,
  maxBytes: number,
  sink: (chunk: Buffer) => boolean,
  onTooLarge: () => unknown,
  onContentType: ((contentType: string | undefined, statusCode: number) => void) | undefined,
): Promise<void> {
  // The idle deadline destroys the body instead of aborting a signal; only a deadline that runs
  // before the headers needs a controller. A call with one signal hands it over as is.
  const control = new AttemptSignal(
    init.signals,
    deadlineBeforeHeaders(init),
    takesAnySignal(init.transport),
  );
  let gotBytes = false;
  let body: EndingBody | undefined;
  const watchdog = watchdogFor(
    init,
    control,
    () => gotBytes,
    (error) => {
      if (body !== undefined) {
        body.on('error', ignore);
        body.destroy(error);
      }
    },
  );
  // As `streamAttempt`: what the answer's headers, error body and chunks scrubbed is told once.
  gatherScrubs(init.redact);
  try {
    const sent = bodyToSend(init, control, watchdog);
    const response = await open(
      init,
      control,
      (errorBody) => {
        body = errorBody as unknown as EndingBody;
        armAtErrorHeaders(init, watchdog);
      },
      sent,
    );
    onContentType?.(header(response.headers, 'content-type'), response.statusCode);
    const stream = response.body as unknown as EndingBody;
    body = stream;
    armAtHeaders(init, watchdog);
    await new Promise<void>((resolve, reject) => {
      let size = 0;
      const cleanup = () => {
        stream.removeListener('data', onData);
        stream.removeListener('end', onEnd);
        stream.removeListener('error', onError);
      };
      const stop = () => {
        cleanup();
        // Destroying undici's body makes it emit an abort error: keep it from going uncaught.
        stream.on('error', ignore);
        if (stream.readableEnded !== true) stream.destroy();
      };
      // The answer is complete: its end usually follows at once (the chunk terminator), and then
      // the socket goes back to the pool. Anything else after the final message (more lines, a
      // connection left open) is not read: the body is destroyed, closing that socket.
      const finish = () => {
        cleanup();
        letBodyEnd(stream);
      };
      const onData = (chunk: Buffer) => {
        armAtChunk(init, watchdog, !gotBytes);
        gotBytes = true;
        size += chunk.length;
        if (size > maxBytes) {
          stop();
          reject(onTooLarge());
          return;
        }
        let complete: boolean;
        try {
          complete = sink(chunk);
        } catch (error) {
          stop();
          reject(error);
          return;
        }
        if (complete) {
          finish();
          resolve();
        }
      };
      const onEnd = () => {
        cleanup();
        resolve();
      };
      const onError = (error: unknown) => {
        cleanup();
        stream.on('error', ignore);
        reject(control.reason() ?? bodyFailure(error, init));
      };
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', onError);
    });
  } finally {
    watchdog?.stop();
    control.release();
    control.upload?.end();
    tellScrubs(init.redact);
  }
}
