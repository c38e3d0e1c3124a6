import { Readable } from 'node:stream';
import type { AttemptSignal } from './attempt-signal';
import { type AttemptInit, armAtSend } from './exchange';
import { isUpload, piecesOf, type TransportBody } from './transport';
import type { Watchdog } from './watchdog';

/**
 * The body an attempt hands its transport, and the deadlines it arms at the send.
 *
 * A JSON text or a small `Uint8Array` goes as it is, and the answer's deadlines run from the send,
 * as for every call. An upload (a larger `Uint8Array`, any async iterable) is handed over as an
 * `Readable` read as the socket drains, and the answer's deadlines (`firstTokenMs` for an
 * answer read whole) start only once its last chunk was taken: the server answers after the whole
 * body, and a large file may take longer to send than any answer deadline. While it sends,
 * `idleMs` bounds each wait for the socket to take the next chunk (a server that stopped reading),
 * never a wait for the caller's source: a slow source is the caller's own pace.
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
  const { idleMs } = init.timeouts;
  if (idleMs !== undefined) watchdog?.arm('idle', idleMs);
  // A `Readable`, which undici's types and a custom transport forwarding to undici take; it reads
  // one chunk ahead of the socket, and its `destroy()` (undici's, on an abort) ends the source.
  const chunks = tracked(
    body instanceof Uint8Array ? piecesOf(body) : body,
    control,
    watchdog,
    () => {
      watchdog?.stop();
      armAtSend(init, watchdog);
    },
  );
  return Readable.from(chunks, { objectMode: false, highWaterMark: 1 });
}

/** What a source yielded that is not bytes: the upload stops with a TypeError naming it. */
function notBytes(chunk: unknown): TypeError {
  const type = chunk === null ? 'null' : typeof chunk;
  const name = (chunk as { constructor?: { name?: unknown } | undefined } | null)?.constructor
    ?.name;
  return new TypeError(
    `Expected every chunk of \`body\` to be a Uint8Array, got ${typeof name === 'string' ? name : type}`,
  );
}

/**
 * The caller's chunks as the transport pulls them. The transport asks for the next chunk once
 * the socket took the last one: that is the upload's progress. A source that throws cuts the
 * attempt with its own error (the transport would report it as a broken connection). A transport
 * that stops pulling (an abort, a deadline) ends the source with `return()`: a Node `Readable` is
 * destroyed, a generator's `finally` runs.
 */
async function* tracked(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  control: AttemptSignal,
  watchdog: Watchdog | undefined,
  onSent: () => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]();
  let ended = false;
  try {
    for (;;) {
      watchdog?.touch();
      // Waiting on the caller's source is not the server's silence.
      watchdog?.pause();
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        ended = true;
        throw cut(control, error);
      }
      watchdog?.resume();
      if (next.done === true) break;
      const chunk = next.value;
      if (!(chunk instanceof Uint8Array)) throw cut(control, notBytes(chunk));
      if (chunk.byteLength > 0) yield chunk;
    }
    ended = true;
    onSent();
  } finally {
    watchdog?.resume();
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

/** Cuts the attempt with `error` (its reason from now on) and returns it, to be thrown. */
function cut(control: AttemptSignal, error: unknown): unknown {
  if (control.reason() === undefined) {
    control.cutBy = error;
    control.abort(error);
  }
  return error;
}
