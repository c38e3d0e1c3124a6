import type { StreamDecoder, WireMessage } from './decoder';
import { LineSplitter, LineTooLongError } from './lines';

/**
 * Server-sent events (OpenAI-style streams): `data:` lines joined with newlines, dispatched at a
 * blank line; `event:` names the event; comments (`:` lines, keep-alives), `id:` and `retry:` are
 * ignored. One event is capped like a line: its data may not exceed `maxEventBytes`. As the WHATWG
 * event stream interpretation says, a line ends in CRLF, LF or a lone CR, and one byte order mark
 * opening the stream is dropped.
 */
export class SseDecoder implements StreamDecoder {
  readonly #lines: LineSplitter;
  readonly #maxEventBytes: number;
  /** The event's data so far (its `data:` lines joined with newlines), or none yet. */
  #data: string | undefined;
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
    this.#size += value.length + 1;
    if (this.#size > this.#maxEventBytes) {
      this.#data = undefined;
      this.#size = 0;
      throw new LineTooLongError(this.#maxEventBytes);
    }
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }

  #dispatch(onMessage: (message: WireMessage) => void): void {
    if (this.#data === undefined) {
      this.#event = undefined;
      return;
    }
    const message: WireMessage = { data: this.#data, event: this.#event };
    this.#data = undefined;
    this.#size = 0;
    this.#event = undefined;
    onMessage(message);
  }
}
