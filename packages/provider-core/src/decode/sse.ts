import type { StreamDecoder, WireMessage } from './decoder';
import { LineSplitter, LineTooLongError } from './lines';

/** What each `data:` line after an event's first costs against its cap beyond its text. */
const LINE_COST = 16;

/**
 * Server-sent events (OpenAI-style streams): `data:` lines joined with newlines, dispatched at a
 * blank line; `event:` names the event; comments (`:` lines, keep-alives), `id:` and `retry:` are
 * ignored. One event is capped like a line: its data may not exceed `maxEventBytes` (each data
 * line after the first also counts `LINE_COST` bytes). As the WHATWG event stream interpretation
 * says, a line ends in CRLF, LF or a lone CR, and one byte order mark opening the stream is
 * dropped.
 */
export class SseDecoder implements StreamDecoder {
  readonly #lines: LineSplitter;
  readonly #maxEventBytes: number;
  /** The event's first `data:` line, or none yet. */
  #data: string | undefined;
  /**
   * Every `data:` line of an event that has several, joined once at its end: appending each to a
   * string builds a rope of one ~32-byte node per line, so an event of millions of empty `data:`
   * lines held several times its size in heap.
   */
  #dataLines: string[] | undefined;
  #size = 0;
  #event: string | undefined;

  constructor(maxEventBytes: number) {
    this.#lines = new LineSplitter(maxEventBytes, 'sse');
    this.#maxEventBytes = maxEventBytes;
  }

  push(chunk: Uint8Array, onMessage: (message: WireMessage) => void): void {
    this.#lines.push(chunk, (line) => this.#line(line, onMessage));
  }

  end(onMessage: (message: WireMessage) => void): void {
    this.#lines.end((line) => this.#line(line, onMessage));
    // A last event without its blank line still counts (a server that closed right after it).
    this.#dispatch(onMessage);
  }

  #line(line: string, onMessage: (message: WireMessage) => void): void {
    if (line.length === 0) {
      this.#dispatch(onMessage);
      return;
    }
    const first = line.charCodeAt(0);
    if (first === 58 /* : */) return;
    // `data: …`, what every event carries, read without slicing out the field name first.
    if (first === 100 /* d */ && line.startsWith('data:')) {
      this.#addData(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#addData(value);
    else if (field === 'event') this.#event = value;
  }

  #addData(value: string): void {
    // Each line after the first is charged what it holds in memory beside its text (a slot in
    // `#dataLines`), so the cap bounds the heap of an event of many short lines too; the first,
    // and an event of one line, only their text and newline.
    this.#size += this.#data === undefined ? value.length + 1 : value.length + LINE_COST;
    if (this.#size > this.#maxEventBytes) {
      this.#data = undefined;
      this.#dataLines = undefined;
      this.#size = 0;
      throw new LineTooLongError(this.#maxEventBytes);
    }
    if (this.#data === undefined) this.#data = value;
    else if (this.#dataLines === undefined) this.#dataLines = [this.#data, value];
    else this.#dataLines.push(value);
  }

  #dispatch(onMessage: (message: WireMessage) => void): void {
    if (this.#data === undefined) {
      this.#event = undefined;
      return;
    }
    const data = this.#dataLines === undefined ? this.#data : this.#dataLines.join('\n');
    const message: WireMessage = { data, event: this.#event };
    this.#data = undefined;
    this.#dataLines = undefined;
    this.#size = 0;
    this.#event = undefined;
    onMessage(message);
  }
}
