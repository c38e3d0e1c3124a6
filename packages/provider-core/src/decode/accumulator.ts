import type { PartialResponse } from '../types';
import type { WireMessage } from './decoder';

/**
 * Folds an answer into a response: a streamed answer message by message, or a buffered answer
 * whole. A provider writes one per operation (its wire format); the shared stages only drive it.
 */
export interface Accumulator<Chunk, Response> {
  /**
   * One message of a streamed answer. Returns what it adds for the caller (a chunk), or
   * `undefined` (a final or empty message). Throws the provider's stream error on an error
   * message. Never called once `done` is true: the request path drops what follows the final
   * message, also when it arrives in the same read.
   */
  add(message: WireMessage): Chunk | undefined;
  /** A whole buffered answer (one JSON document, or lines of them). */
  addWhole(text: string): void;
  /** True once the answer is complete (a done chunk, `[DONE]`, a whole JSON answer). */
  readonly done: boolean;
  /** Messages received, for the partial answer of an error. */
  readonly chunks: number;
  /**
   * Messages that moved the answer on: new text, reasoning, tool-call bytes, log probabilities, a
   * finish reason, or the message that completed it. The first-token and idle deadlines count
   * these, not `chunks`: a server repeating empty deltas (`{"delta":{}}`, an empty
   * `message.content`) is as stalled as a silent one. A role-only first message or a usage-only
   * last one is read as usual, but is not progress unless it completes the answer. Left out,
   * every message counts (`chunks`).
   */
  readonly progress?: number | undefined;
  /**
   * Told the headers of the answer it reads (a success status), before its body: for what only
   * they carry, such as a request id. A header is server text: scrub it before keeping it. What
   * this throws is ignored (a header is never a reason to fail the call). Left out, nothing is
   * told.
   */
  headers?(headers: Readonly<Record<string, string | string[] | undefined>>): void;
  /** What has arrived so far. */
  partial(): PartialResponse;
  /** The response; the shared stages then fill the client-side fields (attempts, timings...). */
  build(): Response;
}
