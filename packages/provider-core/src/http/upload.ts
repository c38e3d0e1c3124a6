import { Readable } from 'node:stream';
import { isUint8Array } from 'node:util/types';
import { LightSignal } from '../light-signal';
import type { AttemptSignal } from './attempt-signal';
import { type AttemptInit, armAtSend, SENDING } from './exchange';
import { ignore, isUpload, piecesOf, type TransportBody } from './transport';
import type { Watchdog } from './watchdog';

/**
 * The body an attempt hands its transport, and the deadlines it arms at the send.
 *
 * A JSON text or a small `Uint8Array` goes as it is, and the answer's deadlines run from the send,
 * as for every call. An upload (a larger `Uint8Array`, any async iterable) is handed over as an
 * `Readable` read as the socket drains, and the answer's deadlines (`firstTokenMs` for an
 * answer read whole) start only once its last chunk was taken, or once the answer's headers came:
 * the server answers after the whole body, and a large file may take longer to send than any
 * answer deadline. While it sends, `idleMs` bounds each wait for the socket to take the next chunk
 * (a server that stopped reading), never a wait for the caller's source: a slow source is the
 * caller's own pace. With `idleMs` off, `firstTokenMs` bounds each of those waits instead (every
 * call ends, as a JSON call with the same options does; a chunk taken starts the next wait, so a
 * large file is never cut while the server takes it). The bytes are counted against the
 * `content-length` sent: a source that gives more or fewer ends the call with a `RangeError`.
 * `Sending.end` (the attempt's `control.upload`) ends what it made once the attempt settled.
 */
export function bodyToSend(
  init: AttemptInit,
  control: AttemptSignal,
  watchdog: Watchdog | undefined,
): TransportBody | undefined {
  const { body } = init;
  if (!isUpload(body)) {
    armAtSend(init, watchdog);
    return body as string | Uint8Array | undefined;
  }
  const { idleMs, firstTokenMs } = init.timeouts;
  if (idleMs !== undefined) watchdog?.arm('idle', idleMs, idleMs, SENDING);
  else {
    const answerMs = init.wholeWithinMs ?? (init.stream ? firstTokenMs : undefined);
    if (answerMs !== undefined) watchdog?.arm('firstToken', answerMs, answerMs, SENDING);
  }
  const declared = init.headers['content-length'];
  const sending = new Sending(
    body instanceof Uint8Array ? piecesOf(body) : body,
    declared === undefined ? undefined : Number(declared),
    control,
    watchdog,
    init,
  );
  // A `Readable`, which undici's types and a custom transport forwarding to undici take; it reads
  // one chunk ahead of the socket, and its `destroy()` (undici's, on an abort) ends the source.
  const readable = Readable.from(sending.chunks(), { objectMode: false, highWaterMark: 1 });
  sending.readable = readable;
  control.upload = sending;
  return readable;
}

/**
 * What a source yielded that is not bytes: the upload stops with a TypeError naming it, under the
 * name the caller gave the data (`data` for `pushBlob`), as the length error does.
 */
function notBytes(data: string, chunk: unknown): TypeError {
  const type = chunk === null ? 'null' : typeof chunk;
  const name = (chunk as { constructor?: { name?: unknown } | undefined } | null)?.constructor
    ?.name;
  return new TypeError(
    `Expected every chunk of \`${data}\` to be a Uint8Array, got ${typeof name === 'string' ? name : type}`,
  );
}

/**
 * Bytes of another realm (a `vm` context, some test runners) as a view of this realm's over the
 * same memory, not copied: the request path tells bytes from a stream, and reads a chunk,
 * with `instanceof`. Bytes of this realm are returned as they are.
 */
export function thisRealm(bytes: Uint8Array): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  const foreign = bytes as { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
  return new Uint8Array(foreign.buffer, foreign.byteOffset, foreign.byteLength);
}

/** A count of bytes that is not the `content-length` sent: the call ends before undici sees it. */
function lengthMismatch(
  names: BodyNames,
  declared: number,
  sent: number,
  more: boolean,
): RangeError {
  const expected = `Expected \`${names.length}\` (${declared}) to be the number of bytes of \`${names.data}\``;
  return new RangeError(
    more
      ? `${expected}, got more than ${declared} bytes (${sent} so far)`
      : `${expected}, got ${sent} bytes`,
  );
}

interface BodyNames {
  readonly length: string;
  readonly data: string;
}

/** The fields of core's own `request()`, named unless a wrapper names its own. */
const BODY_NAMES: BodyNames = { length: 'body.length', data: 'body.data' };

/**
 * The caller's chunks as the transport pulls them. The transport asks for the next chunk once
 * the socket took the last one: that is the upload's progress. A source that throws cuts the
 * attempt with its own error (the transport would report it as a broken connection), as does one
 * whose bytes are not the length declared. A transport that stops pulling (an abort, a deadline)
 * ends the source with `return()`: a Node `Readable` is destroyed, a generator's `finally` runs.
 */
class Sending {
  /** The attempt settled: nothing the source does now is the attempt's. */
  settled = false;
  /** What the transport got. */
  readable: Readable | undefined;
  readonly #source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  readonly #declared: number | undefined;
  readonly #control: AttemptSignal;
  readonly #watchdog: Watchdog | undefined;
  readonly #init: AttemptInit;
  readonly #names: BodyNames;

  constructor(
    source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    declared: number | undefined,
    control: AttemptSignal,
    watchdog: Watchdog | undefined,
    init: AttemptInit,
  ) {
    this.#source = source;
    this.#declared = declared;
    this.#control = control;
    this.#watchdog = watchdog;
    this.#init = init;
    this.#names = source instanceof UploadSource ? source.names : BODY_NAMES;
  }

  /** The deadline is the sending one: not once the answer's headers came (`leaveSending`). */
  #sending(): Watchdog | undefined {
    const watchdog = this.#watchdog;
    return watchdog?.waitedFor === SENDING ? watchdog : undefined;
  }

  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const source = this.#source;
    const iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (source as Iterable<Uint8Array>)[Symbol.iterator]();
    const declared = this.#declared;
    let sent = 0;
    let ended = false;
    try {
      for (;;) {
        const watchdog = this.#sending();
        watchdog?.touch();
        // Waiting on the caller's source is not the server's silence.
        watchdog?.pause();
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          ended = true;
          if (this.settled) return;
          throw this.#cut(error);
        }
        this.#sending()?.resume();
        if (this.settled) return;
        if (next.done === true) break;
        const chunk = next.value;
        if (!isUint8Array(chunk)) throw this.#cut(notBytes(this.#names.data, chunk));
        if (chunk.byteLength === 0) continue;
        sent += chunk.byteLength;
        if (declared !== undefined && sent > declared) {
          throw this.#cut(lengthMismatch(this.#names, declared, sent, true));
        }
        yield thisRealm(chunk);
      }
      ended = true;
      if (declared !== undefined && sent !== declared) {
        throw this.#cut(lengthMismatch(this.#names, declared, sent, false));
      }
      const watchdog = this.#sending();
      if (watchdog !== undefined) {
        watchdog.disarm();
        armAtSend(this.#init, watchdog);
      }
    } finally {
      this.#sending()?.resume();
      if (!ended) {
        try {
          const returned = iterator.return?.();
          if (returned instanceof Promise) returned.catch(() => {});
        } catch {
          // A source that cannot be ended has nothing more to free.
        }
      }
    }
  }

  /**
   * The attempt settled (answered, failed, cut): the upload stops, whatever the transport did
   * with it (a custom transport may answer without reading it), and its source is ended with
   * `return()` if it had not ended (a generator that started runs its `finally`). A source
   * nothing pulled is ended by its call (`UploadSource.close`).
   */
  end(): void {
    this.settled = true;
    const readable = this.readable;
    if (readable === undefined || readable.destroyed) return;
    // Its source may still throw once it is ended: nobody reads the error, nor must it go uncaught.
    readable.on('error', ignore);
    readable.destroy();
  }

  /** Cuts the attempt with `error` (its reason from now on) and returns it, to be thrown. */
  #cut(error: unknown): unknown {
    const control = this.#control;
    if (control.reason() === undefined) {
      control.cutBy = error;
      control.abort(error);
    }
    return error;
  }
}

/**
 * The caller's iterable body, owned by its call from the start: whatever ends the call (an answer,
 * a refused connection, an aborted signal, a deadline, a custom transport that answered without
 * reading it), {@link close} ends a source that had not ended, with its `return()` (and a
 * `Readable`'s `destroy()`: an iterator of one that was never pulled would free nothing). An
 * attempt pulls its chunks through it.
 *
 * A source that is an event emitter (a `Readable`, `fs.createReadStream(path)`) is listened to for
 * `'error'` from the moment it is handed over: a file that cannot be opened (`ENOENT`, `EACCES`)
 * emits it on its own, before anything reads it, and unheard it would crash the process. The
 * error is kept and {@link failed} aborts with it, so the call ends with it at once (the caller's
 * own error, as a source that throws mid-upload ends it), whatever it was waiting for.
 */
export class UploadSource implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  readonly #data: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  #iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined;
  /** Done, thrown, or closed: nothing more to end. */
  #ended = false;

  /** What a length error calls the declared length and the data (`RawBody.names`). */
  readonly names: BodyNames;
  /** Aborted with the source's own `'error'` (its first one), if it emits one. */
  readonly failed = new LightSignal();

  constructor(data: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, names = BODY_NAMES) {
    this.#data = data;
    this.names = names;
    const emitter = data as { on?: unknown; errored?: unknown };
    if (typeof emitter.on !== 'function') return;
    const failed = this.failed;
    try {
      (emitter.on as (event: string, fn: (error: unknown) => void) => void).call(
        data,
        'error',
        (error) => failed.abort(error),
      );
    } catch {
      // Not an emitter after all: its errors reach the call through its iterator.
    }
    // A `Readable` destroyed with an error before it was handed over keeps it in `errored`.
    if (emitter.errored !== null && emitter.errored !== undefined) failed.abort(emitter.errored);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #open(): Iterator<unknown> | AsyncIterator<unknown> {
    const data = this.#data;
    this.#iterator ??=
      Symbol.asyncIterator in data
        ? data[Symbol.asyncIterator]()
        : (data as Iterable<Uint8Array>)[Symbol.iterator]();
    return this.#iterator;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#ended) return { done: true, value: undefined };
    try {
      const next = (await this.#open().next()) as IteratorResult<Uint8Array>;
      if (next.done === true) this.#ended = true;
      return next;
    } catch (error) {
      if (this.#ended) return { done: true, value: undefined };
      this.#ended = true;
      throw error;
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return { done: true, value: undefined };
  }

  /** Ends the source if it has not ended; idempotent, never throws. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const returned = this.#open().return?.();
      if (returned instanceof Promise) returned.catch(() => {});
    } catch {
      // A source that cannot be ended has nothing more to free.
    }
    const stream = this.#data as { destroy?: unknown; destroyed?: unknown };
    if (typeof stream.destroy === 'function' && stream.destroyed !== true) {
      try {
        (stream as { on?: ((event: string, fn: () => void) => void) | undefined }).on?.(
          'error',
          ignore,
        );
        stream.destroy();
      } catch {
        // Already gone.
      }
    }
  }
}

/**
 * Ends a request body a provider will not send (its arguments refused before the call began): a
 * `Readable` destroyed (its file closed), an iterator ended with `return()`, as a call ends the
 * body it was given however it ends. Anything else (bytes, not a body) is left alone.
 */
export function endUnsentBody(data: unknown): void {
  if (typeof data !== 'object' || data === null || ArrayBuffer.isView(data)) return;
  if (!(Symbol.asyncIterator in data) && !(Symbol.iterator in data)) return;
  new UploadSource(data as AsyncIterable<Uint8Array>).close();
}
