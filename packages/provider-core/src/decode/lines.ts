/** Thrown when one line (or one server-sent event) exceeds the size cap. */
export class LineTooLongError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`A line of the answer exceeded ${limit} bytes`);
    this.name = 'LineTooLongError';
    this.limit = limit;
  }
}

/**
 * Incremental line splitter working on bytes. Lines are cut on the byte 0x0A, which never occurs
 * inside a multi-byte UTF-8 sequence, so a character split across two reads is decoded only once
 * its line is complete. A trailing CR is dropped (CRLF). A line longer than `maxLineBytes` is an
 * error instead of unbounded memory.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  /** Bytes of the incomplete line carried over from earlier chunks. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds bytes; calls `onLine` with every complete line (without its line break). */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.#pendingBytes > 0) {
      // The line carried over from earlier reads ends in this one (or not yet).
      const nl = buf.indexOf(10);
      if (nl === -1) {
        this.#carry(buf, 0);
        return;
      }
      this.#check(this.#pendingBytes + nl);
      this.#pending.push(buf.subarray(0, nl));
      const line = Buffer.concat(this.#pending).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      onLine(withoutCr(line));
      start = nl + 1;
    }
    const last = buf.lastIndexOf(10);
    if (last >= start) {
      if (last - start <= this.#maxLineBytes) {
        // No line in here can exceed the cap: the complete lines are decoded in one go, then cut
        // on '\n' (the same cuts as on the byte 0x0A), instead of one decoding per line.
        const text = buf.toString('utf8', start, last);
        let from = 0;
        let nl = text.indexOf('\n');
        while (nl !== -1) {
          onLine(withoutCr(text.slice(from, nl)));
          from = nl + 1;
          nl = text.indexOf('\n', from);
        }
        onLine(withoutCr(from === 0 ? text : text.slice(from)));
      } else {
        let nl = buf.indexOf(10, start);
        while (nl !== -1) {
          this.#check(nl - start);
          onLine(withoutCr(buf.toString('utf8', start, nl)));
          start = nl + 1;
          nl = buf.indexOf(10, start);
        }
      }
      start = last + 1;
    }
    if (start < buf.length) this.#carry(buf, start);
  }

  /** Keeps the bytes of an incomplete line, from `start`, for the next read. */
  #carry(buf: Buffer, start: number): void {
    const rest = buf.length - start;
    this.#check(this.#pendingBytes + rest);
    // Copy: the caller may reuse its buffer.
    this.#pending.push(Buffer.from(buf.subarray(start)));
    this.#pendingBytes += rest;
  }

  /** Flushes a last line that had no trailing newline. */
  end(onLine: (line: string) => void): void {
    if (this.#pendingBytes === 0) return;
    const line = Buffer.concat(this.#pending).toString('utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    onLine(withoutCr(line));
  }

  #check(bytes: number): void {
    if (bytes > this.#maxLineBytes) {
      this.#pending = [];
      this.#pendingBytes = 0;
      throw new LineTooLongError(this.#maxLineBytes);
    }
  }
}

/** A line without the CR of a CRLF ending. */
function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
