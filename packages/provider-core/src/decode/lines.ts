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
    let nl = buf.indexOf(10, start);
    while (nl !== -1) {
      let line: string;
      if (this.#pendingBytes > 0) {
        this.#check(this.#pendingBytes + nl - start);
        this.#pending.push(buf.subarray(start, nl));
        line = Buffer.concat(this.#pending).toString('utf8');
        this.#pending = [];
        this.#pendingBytes = 0;
      } else {
        this.#check(nl - start);
        line = buf.toString('utf8', start, nl);
      }
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    if (start < buf.length) {
      const rest = buf.length - start;
      this.#check(this.#pendingBytes + rest);
      // Copy: the caller may reuse its buffer.
      this.#pending.push(Buffer.from(buf.subarray(start)));
      this.#pendingBytes += rest;
    }
  }

  /** Flushes a last line that had no trailing newline. */
  end(onLine: (line: string) => void): void {
    if (this.#pendingBytes === 0) return;
    const line = Buffer.concat(this.#pending).toString('utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  #check(bytes: number): void {
    if (bytes > this.#maxLineBytes) {
      this.#pending = [];
      this.#pendingBytes = 0;
      throw new LineTooLongError(this.#maxLineBytes);
    }
  }
}
