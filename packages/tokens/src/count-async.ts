import { fail, optionalSignal } from '@x/internal';
import { resolveEncoding } from './count-tokens';
import { encodingForModel, getCounter } from './encodings';
import { estimate, type TokenEstimate } from './estimate';
import { type BpeCounter, type Deferral, deferCounts } from './internal/bpe';
import { plainCopy } from './internal/plain-copy';
import {
  type CountTokensAsyncOptions,
  type EstimateTokensAsyncOptions,
  expectOptions,
  KEYS,
} from './options';
import type { ChatMessage } from './types';

// Why this file exists: an exact count runs on the event loop, ~1.4 s for one piece of 'a' × 2e6
// (a prompt that may still fit a 128k window), during which no timer, socket or abort of the
// process runs. These functions count the same way in steps and give the event loop a turn
// between them.

/**
 * Work done before the event loop gets a turn. A step (256 pieces, 4,096 merges of a long piece)
 * is ~0.1-0.5 ms, so a turn ends within about a step of this.
 */
const TURN_MS = 4;

/**
 * Texts shorter than this are counted at once (at most ~3 ms for a run of one character, ~0.5 ms
 * of prose, on an idle 2-core machine); longer ones in steps.
 */
const STEPPED_CHARS = 4_096;

// Captured on load: a test's fake timers must not hold a count back.
const later: (resume: () => void) => unknown =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate
    : (resume) => setTimeout(resume, 0);

const nextTurn = () => new Promise<void>((resolve) => void later(resolve));

/**
 * @internal Runs `steps` to their end, giving the event loop a turn every {@link TURN_MS} of work
 * (the first turn counted from `started`). Once `signal` aborts, rejects with its reason and runs
 * no further step.
 */
export async function run<T>(
  steps: Generator<undefined, T>,
  signal: AbortSignal | undefined,
  started = performance.now(),
): Promise<T> {
  try {
    let until = started + TURN_MS;
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
      if (performance.now() >= until) {
        await nextTurn();
        if (signal?.aborted) throw signal.reason;
        until = performance.now() + TURN_MS;
      }
    }
  } finally {
    // Closes the generator (its typed arrays go with it); nothing if it ended.
    steps.return(undefined as T);
  }
}

/** The texts a synchronous estimate asked to count, in order (its first pass). */
class Deferred {
  readonly counters: BpeCounter[] = [];
  readonly texts: string[] = [];
  readonly repeated: boolean[] = [];

  readonly record: Deferral = (counter, text, repeated) => {
    this.counters.push(counter);
    this.texts.push(text);
    this.repeated.push(repeated);
    return 0;
  };

  /** Counts the texts: short ones at once (through the memo, as before), long ones in steps. */
  *count(): Generator<undefined, number[]> {
    const { counters, texts, repeated } = this;
    const counts: number[] = [];
    let chars = 0;
    for (let i = 0; i < texts.length; i++) {
      const counter = counters[i]!;
      const text = texts[i]!;
      const known = repeated[i] ? counter.recall(text) : undefined;
      if (known !== undefined || text.length < STEPPED_CHARS) {
        counts.push(
          known ?? (repeated[i] ? counter.countRepeated(text) : counter.countOrdinary(text)),
        );
        chars += text.length;
        if (chars < STEPPED_CHARS) continue;
      } else {
        const count = yield* counter.countSteps(text, false);
        if (repeated[i]) counter.remember(text, count);
        counts.push(count);
      }
      chars = 0;
      yield;
    }
    return counts;
  }

  /**
   * The second pass: the counts, in the order the first pass asked for them. A text that is not
   * the one recorded there (messages changed in between) is counted at once.
   */
  replay(counts: readonly number[]): Deferral {
    let next = 0;
    return (counter, text) => {
      const i = next++;
      return this.counters[i] === counter && this.texts[i] === text
        ? counts[i]!
        : counter.countOrdinary(text);
    };
  }
}

/** Loads the encoding of `model`, if it has one; a failure is the estimate's to handle. */
function preload(model: unknown): void {
  if (typeof model !== 'string' || model === '') return;
  try {
    const encoding = encodingForModel(model);
    if (encoding !== undefined) getCounter(encoding);
  } catch {
    // js-tiktoken missing, a name `estimate` refuses: it tells (or falls back) itself.
  }
}

/**
 * `estimateTokens`, without blocking the event loop for long: the texts an exact count needs are
 * counted in steps (between pre-tokenizer pieces, and within the merge of a long piece), with a
 * turn of the event loop every ~4 ms of work. The result is the same as `estimateTokens`'.
 * A prompt without an exact tokenizer (the heuristic) or far past `exactLimit` costs one pass.
 *
 * @throws {TypeError | RangeError} (a rejection) on invalid input or options, as `estimateTokens`.
 * @throws `signal.reason` (a rejection) once `signal` aborts; no more of the prompt is counted.
 * @example
 * await estimateTokensAsync(longDocument, { model: 'gpt-4o', exactLimit: 128_000, signal })
 */
export async function estimateTokensAsync(
  input: string | readonly ChatMessage[],
  options: EstimateTokensAsyncOptions = {},
): Promise<TokenEstimate> {
  expectOptions('options', undefined, options, KEYS.estimateTokensAsync);
  const { signal: given, ...rest } = options;
  const signal = optionalSignal('signal', given);
  if (signal?.aborted) throw signal.reason;
  const started = performance.now();
  // Loaded before the first pass: its `encoding-load` listeners may count, and must not be deferred.
  preload(rest.model);
  // Both passes read a copy: a getter of the caller's messages would otherwise run while counts
  // are deferred, and a count it made itself would read the placeholder 0.
  const prompt = plainCopy(input) ?? input;
  // First pass: the estimate as usual, but every text to count exactly is recorded instead.
  const deferred = new Deferred();
  let first: TokenEstimate;
  // What was set before is set again after: an estimate started from inside another's first pass
  // (an encoding-load listener's) must leave the outer one deferring.
  const outer = deferCounts(deferred.record);
  try {
    first = estimate(prompt, rest);
  } finally {
    deferCounts(outer);
  }
  if (deferred.texts.length === 0) return first;
  // The first pass's time (a heuristic pass over a long prompt) counts in the first turn.
  const counts = await run(deferred.count(), signal, started);
  // Second pass, with the counts. The first did not stop at `exactLimit` (it asked for counts),
  // so neither would this one: its heuristic pass is skipped.
  const before = deferCounts(deferred.replay(counts));
  try {
    return estimate(prompt, { ...rest, exactLimit: undefined });
  } finally {
    deferCounts(before);
  }
}

/**
 * `countTokens`, without blocking the event loop for long: a text of 4 Ki characters or more is
 * counted in steps, with a turn of the event loop every ~4 ms of work. The count is the same.
 *
 * @throws the errors of `countTokens` (as a rejection).
 * @throws `signal.reason` (a rejection) once `signal` aborts; no more of the text is counted.
 * @example
 * await countTokensAsync(longDocument, { model: 'gpt-4o', signal })
 */
export async function countTokensAsync(
  text: string,
  options?: CountTokensAsyncOptions,
): Promise<number> {
  if (typeof text !== 'string') fail('text', 'a string', text);
  let signal: AbortSignal | undefined;
  let allowSpecial = false;
  let counter: BpeCounter;
  if (options === undefined) counter = getCounter(resolveEncoding(undefined));
  else {
    expectOptions('options', undefined, options, KEYS.countTokensAsync);
    const { signal: given, ...rest } = options;
    signal = optionalSignal('signal', given);
    counter = getCounter(resolveEncoding(rest));
    allowSpecial = rest.allowSpecial === true;
  }
  if (signal?.aborted) throw signal.reason;
  if (text.length < STEPPED_CHARS) return counter.count(text, allowSpecial);
  return run(counter.countSteps(text, allowSpecial), signal);
}
