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
 * `text` without the byte order mark that may open it: `Buffer#toString` keeps one (TextDecoder
 * drops it), and `JSON.parse` or a field name with it in front fails. For the first line of a
 * stream and for a whole answer.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A whole answer's bytes as text, without the byte order mark that may open them. */
export function wholeText(bytes: Buffer): string {
  return withoutBom(bytes.toString('utf8'));
}

/**
 * What ends a line: `'lf'` (NDJSON, Ollama's framing) the byte 0x0A, a CR before it dropped;
 * `'sse'` also a lone CR, as the server-sent events format allows (CRLF, LF or CR).
 */
export type LineEndings = 'lf' | 'sse';

/**
 * Incremental line splitter working on bytes. Lines are cut on the bytes 0x0A (and 0x0D with
 * `'sse'` endings), which never occur inside a multi-byte UTF-8 sequence, so a character split
 * across two reads is decoded only once its line is complete. One byte order mark opening the
 * stream is dropped. A line longer than `maxLineBytes` is an error instead of unbounded memory.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #sse: boolean;
  /** Bytes of the incomplete line carried over from earlier chunks. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** No line handed on yet: the first one may open with a byte order mark. */
  #atStart = true;
  /** The last read ended in a CR (`'sse'`), whose line was handed on: an LF next is its CRLF's. */
  #afterCr = false;

  constructor(maxLineBytes: number, endings: LineEndings = 'lf') {
    this.#maxLineBytes = maxLineBytes;
    this.#sse = endings === 'sse';
  }

  /** Feeds bytes; calls `onLine` with every complete line (without its line break). */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#atStart) onLine = this.#firstLine(onLine);
    let start = 0;
    if (this.#afterCr) {
      if (buf.length === 0) return;
      this.#afterCr = false;
      if (buf[0] === 10) start = 1;
    }
    if (this.#pendingBytes > 0) {
      // The line carried over from earlier reads ends in this one (or not yet).
      const nl = buf.indexOf(10, start);
      if (nl === -1) {
        this.#carry(buf, start, onLine);
        return;
      }
      this.#checkLf(this.#pendingBytes + nl - start, buf, start, nl);
      this.#pending.push(buf.subarray(start, nl));
      const line = Buffer.concat(this.#pending).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#lfLine(line, onLine);
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
        // Servers end SSE lines in LF or CRLF: one scan of the decoded text (cheaper than a scan
        // of the bytes, a call into C++) finds the rare lone CR, and only then is every line
        // looked into.
        if (this.#sse && text.indexOf('\r') !== -1) {
          while (nl !== -1) {
            this.#lfLine(text.slice(from, nl), onLine);
            from = nl + 1;
            nl = text.indexOf('\n', from);
          }
          this.#lfLine(from === 0 ? text : text.slice(from), onLine);
        } else {
          while (nl !== -1) {
            onLine(withoutCr(text.slice(from, nl)));
            from = nl + 1;
            nl = text.indexOf('\n', from);
          }
          onLine(withoutCr(from === 0 ? text : text.slice(from)));
        }
      } else {
        let nl = buf.indexOf(10, start);
        while (nl !== -1) {
          this.#checkLf(nl - start, buf, start, nl);
          this.#lfLine(buf.toString('utf8', start, nl), onLine);
          start = nl + 1;
          nl = buf.indexOf(10, start);
        }
      }
      start = last + 1;
    }
    if (start < buf.length) this.#carry(buf, start, onLine);
  }

  /** Hands on a line cut at an LF; with `'sse'` endings, each lone CR in it ends a line too. */
  #lfLine(line: string, onLine: (line: string) => void): void {
    const text = withoutCr(line);
    if (!this.#sse || text.indexOf('\r') === -1) {
      onLine(text);
      return;
    }
    for (const part of text.split('\r')) {
      this.#check(Buffer.byteLength(part));
      onLine(part);
    }
  }

  /**
   * Keeps the bytes of an incomplete line, from `start`, for the next read. They hold no LF; with
   * `'sse'` endings, each CR in them ends a line first. A CR that ends the read ends its line at
   * once (an event it completes is not held until more bytes come), and an LF opening the next
   * read is then skipped: it is the second half of a CRLF, not an empty line, which would
   * dispatch the next event early.
   */
  #carry(buf: Buffer, start: number, onLine: (line: string) => void): void {
    if (this.#sse) {
      let cr = buf.indexOf(13, start);
      while (cr !== -1) {
        this.#check(this.#pendingBytes + cr - start);
        if (this.#pendingBytes === 0) onLine(buf.toString('utf8', start, cr));
        else {
          this.#pending.push(buf.subarray(start, cr));
          const line = Buffer.concat(this.#pending).toString('utf8');
          this.#pending = [];
          this.#pendingBytes = 0;
          onLine(line);
        }
        start = cr + 1;
        if (start === buf.length) {
          this.#afterCr = true;
          return;
        }
        cr = buf.indexOf(13, start);
      }
    }
    const rest = buf.length - start;
    // With 'lf' endings a CR ending the read may be its line's CRLF's: not counted yet (bytes
    // after it in a later read count it again).
    this.#check(this.#pendingBytes + rest - (buf[buf.length - 1] === 13 ? 1 : 0));
    // Copy: the caller may reuse its buffer.
    this.#pending.push(Buffer.from(buf.subarray(start)));
    this.#pendingBytes += rest;
  }

  /**
   * `onLine`, dropping a byte order mark from the stream's first line (decoding with
   * `Buffer#toString` keeps it; a `\uFEFFdata` field would be ignored and its event lost). A line
   * is decoded whole, so the mark's three bytes are in it even when they came in separate reads.
   * Only the reads before the first line pay for this wrapper.
   */
  #firstLine(onLine: (line: string) => void): (line: string) => void {
    return (line) => {
      if (this.#atStart) {
        this.#atStart = false;
        line = withoutBom(line);
      }
      onLine(line);
    };
  }

  /** Flushes a last line that had no trailing newline. */
  end(onLine: (line: string) => void): void {
    if (this.#pendingBytes === 0) return;
    if (this.#atStart) onLine = this.#firstLine(onLine);
    const line = Buffer.concat(this.#pending).toString('utf8');
    this.#pending = [];
    this.#pendingBytes = 0;
    onLine(withoutCr(line));
  }

  /**
   * Checks the line of `bytes` that ends at an LF, `buf` from `start` to `end` its last bytes. With
   * `'sse'` endings, one holding a lone CR is several lines: {@link LineSplitter.#lfLine} checks
   * each.
   */
  #checkLf(bytes: number, buf: Buffer, start: number, end: number): void {
    if (bytes <= this.#maxLineBytes) return;
    // The CR of a CRLF is not the line's, wherever the reads split them.
    if (bytes === this.#maxLineBytes + 1 && this.#crBefore(buf, start, end)) return;
    if (this.#sse) {
      // A CR before the last byte is a lone one (the last may be a CRLF's).
      const cr = buf.indexOf(13, start);
      if (cr !== -1 && cr < end - 1) return;
    }
    this.#check(bytes);
  }

  /** Whether the byte before the LF at `end` (in `buf` from `start`, else pending) is a CR. */
  #crBefore(buf: Buffer, start: number, end: number): boolean {
    if (end > start) return buf[end - 1] === 13;
    const held = this.#pending[this.#pending.length - 1];
    return held !== undefined && held[held.length - 1] === 13;
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
