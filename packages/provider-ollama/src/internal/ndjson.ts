/**
 * Incremental NDJSON splitter working on bytes. Lines are cut on the byte 0x0A, which never occurs
 * inside a multi-byte UTF-8 sequence, so a character split across two writes is decoded only once
 * its line is complete. A line longer than `maxLineBytes` is an error instead of unbounded memory.
 */
export class LineTooLongError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`An NDJSON line exceeded ${limit} bytes`);
    this.name = 'LineTooLongError';
    this.limit = limit;
  }
}

export class NdjsonDecoder {
  readonly #maxLineBytes: number;
  /** Bytes of the incomplete line carried over from earlier chunks. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds bytes; calls `onLine` with every complete, non-blank line (without the newline). */
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
      emit(line, onLine);
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

  /** Flushes a last line that had no trailing newline (a plain JSON body). */
  end(onLine: (line: string) => void): void {
    if (this.#pendingBytes === 0) return;
    const line = Buffer.concat(this.#pending).toString('utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    emit(line, onLine);
  }

  #check(bytes: number): void {
    if (bytes > this.#maxLineBytes) {
      this.#pending = [];
      this.#pendingBytes = 0;
      throw new LineTooLongError(this.#maxLineBytes);
    }
  }
}

function emit(line: string, onLine: (line: string) => void): void {
  // Tolerate CRLF and blank keep-alive lines from proxies.
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.length === 0) return;
  const first = text.charCodeAt(0);
  if ((first === 32 || first === 9) && text.trim().length === 0) return;
  onLine(text);
}
