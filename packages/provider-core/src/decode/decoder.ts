/** One message of a streamed answer: an NDJSON line, or the data of a server-sent event. */
export interface WireMessage {
  /** The JSON text (or a sentinel such as `[DONE]`). */
  data: string;
  /** The server-sent event's type, when it named one (`event: error`). */
  event?: string | undefined;
}

/** Turns the bytes of a streamed answer into messages. */
export interface StreamDecoder {
  /** Feeds bytes; calls `onMessage` for every complete message. */
  push(chunk: Uint8Array, onMessage: (message: WireMessage) => void): void;
  /** The body ended: flushes what is left. */
  end(onMessage: (message: WireMessage) => void): void;
}

/** How a provider frames a streamed answer. */
export type Framing = 'ndjson' | 'sse';
