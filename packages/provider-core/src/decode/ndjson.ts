import type { StreamDecoder, WireMessage } from './decoder';
import { LineSplitter } from './lines';

/** Newline-delimited JSON (Ollama's streams): every non-blank line is a message. */
export class NdjsonDecoder implements StreamDecoder {
  readonly #lines: LineSplitter;

  constructor(maxLineBytes: number) {
    this.#lines = new LineSplitter(maxLineBytes);
  }

  push(chunk: Uint8Array, onMessage: (message: WireMessage) => void): void {
    this.#lines.push(chunk, (line) => emit(line, onMessage));
  }

  end(onMessage: (message: WireMessage) => void): void {
    this.#lines.end((line) => emit(line, onMessage));
  }
}

function emit(line: string, onMessage: (message: WireMessage) => void): void {
  // Blank keep-alive lines from proxies are not messages.
  if (line.length === 0) return;
  const first = line.charCodeAt(0);
  if ((first === 32 || first === 9) && line.trim().length === 0) return;
  onMessage({ data: line });
}
