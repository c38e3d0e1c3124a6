import type { Accumulator } from '../decode/accumulator';
import { wholeToolCallWait } from '../http/exchange';
import type { Runtime } from '../runtime';
import { SINCE_KEY } from './key-wait';

/** Messages of an answer that moved it on (see {@link Accumulator.progress}). */
export function progressOf(accumulator: Accumulator<unknown, unknown>): number {
  return accumulator.progress ?? accumulator.chunks;
}

/**
 * Message-level deadlines of a streamed answer. Bytes that arrive without completing a message
 * are not progress: a server trickling one byte at a time would keep the byte-level idle deadline
 * quiet forever. Nor are messages that carry nothing (empty deltas sent every 100 ms), which would
 * hold a call open until `maxAnswerBytes`, half an hour later. Before the first message that
 * carries something the first-token deadline counts from the send; after it the idle deadline
 * counts from the last such message (for as long as the call's `idleMs`: `AttemptInit.idleMs`).
 * Time the caller holds a chunk is not the server's and is left out, without restarting the clock:
 * empty chunks handed to the caller one by one would otherwise restart it each time.
 */
export class Progress {
  readonly #rt: Runtime;
  readonly #idleMs: number | undefined;
  /**
   * When the server's current wait began (the send, the key callback's call before a first
   * attempt's send, or the last progress), held time left out.
   */
  #from: number;
  /** The first token's wait began at the key callback's call (`keyClock`). */
  readonly #sinceKey: boolean;
  #seen = 0;
  #heldAt: number | undefined;

  constructor(rt: Runtime, idleMs: number | undefined, keyAskedAt?: number | undefined) {
    this.#rt = rt;
    this.#idleMs = idleMs;
    this.#sinceKey = keyAskedAt !== undefined;
    this.#from = keyAskedAt ?? performance.now();
  }

  /** The caller holds what was read: its time stops counting. */
  hold(): void {
    this.#heldAt = performance.now();
  }

  /** The caller asked for more: the server's time counts again, from where it stopped. */
  resume(): void {
    if (this.#heldAt === undefined) return;
    this.#from += performance.now() - this.#heldAt;
    this.#heldAt = undefined;
  }

  /** After a read: the timeout error when the answer made no progress for too long. */
  check(accumulator: Accumulator<unknown, unknown>): unknown {
    const seen = progressOf(accumulator);
    if (seen > this.#seen) {
      this.#from = performance.now();
      this.#seen = seen;
      return undefined;
    }
    const { timeouts } = this.#rt;
    const first = seen === 0;
    const limit = first ? timeouts.firstTokenMs : this.#idleMs;
    if (limit === undefined) return undefined;
    if (performance.now() - this.#from <= limit) return undefined;
    const kind = first ? 'firstToken' : 'idle';
    const raised = wholeToolCallWait(timeouts, kind, limit);
    return this.#rt.kit.timeout({
      timeout: kind,
      timeoutMs: limit,
      retryable: first,
      partial: first ? undefined : accumulator.partial(),
      waitedFor: first && this.#sinceKey ? `the first token${SINCE_KEY}` : raised?.waitedFor,
      option: raised?.option,
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
