import type { Accumulator } from '../decode/accumulator';
import type { Runtime } from '../runtime';

/**
 * Message-level deadlines of a streamed answer. Bytes that arrive without completing a message
 * are not progress: a server trickling one byte at a time would keep the byte-level idle deadline
 * quiet forever. Before the first message the first-token deadline counts from the send; after it
 * the idle deadline counts from the last message, or from when the caller asked for more (time
 * the caller holds a chunk is not the server's).
 */
export class Progress {
  readonly #rt: Runtime;
  readonly #sentAt = performance.now();
  #from = this.#sentAt;
  #chunks = 0;

  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /** The caller asked for more: the idle clock starts now. */
  resume(chunks: number): void {
    this.#from = performance.now();
    this.#chunks = chunks;
  }

  /** After a read: the timeout error when the answer made no progress for too long. */
  check(accumulator: Accumulator<unknown, unknown>): unknown {
    const { chunks } = accumulator;
    if (chunks > this.#chunks) {
      this.#from = performance.now();
      this.#chunks = chunks;
      return undefined;
    }
    const { timeouts } = this.#rt;
    const first = chunks === 0;
    const limit = first ? timeouts.firstTokenMs : timeouts.idleMs;
    if (limit === undefined) return undefined;
    if (performance.now() - (first ? this.#sentAt : this.#from) <= limit) return undefined;
    return this.#rt.kit.timeout({
      timeout: first ? 'firstToken' : 'idle',
      timeoutMs: limit,
      retryable: first,
      partial: first ? undefined : accumulator.partial(),
    });
  }
}

/** The error of an answer longer than `maxAnswerBytes`, with what had arrived. */
export function tooLarge(
  rt: Runtime,
  endpoint: string,
  accumulator: Accumulator<unknown, unknown>,
): unknown {
  return rt.kit.stream({
    reason: 'too-large',
    message: `${rt.identity.label}'s ${endpoint} answer exceeded maxAnswerBytes (${rt.maxAnswerBytes})`,
    partial: accumulator.partial(),
  });
}
