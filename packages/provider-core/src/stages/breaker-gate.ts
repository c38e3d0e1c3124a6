import { type Breaker, ignoreOutcome } from '@x/breaker';
import { deferred } from '@x/internal';
import { scrubPromptEchoes } from '../scrub-echoes';
import { scrubPartial } from '../scrub-partial';

/**
 * What a streamed call's breaker outcome rejects with when its caller stopped reading before the
 * answer was complete (a `break` out of the loop): the caller's doing, like an abort, so neither a
 * success (a probe would close the breaker on an answer nobody saw end) nor a failure. Made by
 * `ignoreOutcome()`, it is settled as not judged by every breaker, whatever its `classify` says (a
 * breaker the provider was given, or a shared one, too): the rule lives in `@x/breaker`. It never
 * reaches the caller, who has left.
 */
export const CONSUMER_LEFT = ignoreOutcome(
  new Error('the caller stopped reading before the answer was complete'),
);

/** The part of `@x/breaker`'s breaker the request path uses. */
export type BreakerLike = Pick<Breaker, 'execute' | 'state'>;

/**
 * A breaker the provider was given (`breaker: createBreaker(...)`) judges errors with its own
 * `classify`, which knows nothing of `destroy()`: a call it ended would count as the server's
 * failure, and open the breaker for every provider sharing it. Through this gate the breaker is
 * told of `destroy()` as of a caller's abort (ignored by default): every call it runs gets a
 * signal that aborts with `ending` too. That takes the breaker's slow path, which a breaker of the
 * provider's own does not need (its `classify` ignores the closed error).
 */
export function givenBreakerGate(breaker: Breaker, ending: AbortSignal): BreakerLike {
  return {
    get state() {
      return breaker.state;
    },
    execute(fn, options) {
      const caller = options?.signal;
      const signal = caller === undefined ? ending : AbortSignal.any([caller, ending]);
      return breaker.execute(fn, { signal });
    },
  };
}

/**
 * The breaker-signal rule, in one place: an attempt follows the signal the breaker hands it only
 * while the breaker is probing (half-open), where it aborts a probe that outlives
 * `probeTimeoutMs`. While closed that signal is the caller's own or a shared one that never aborts:
 * following it would only collect listeners on a signal every call shares.
 */
function followed(
  probing: boolean,
  breakerSignal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): AbortSignal | undefined {
  return probing && breakerSignal !== callerSignal ? breakerSignal : undefined;
}

/**
 * What the request path runs its attempts through: the breaker (or none), and whether a failed
 * attempt's partial answer must be scrubbed before the breaker publishes it. Without a key and
 * a key callback there is nothing a partial could echo (an unknown `Bearer` token is still
 * scrubbed when the call fails), and no scrubbing hop is paid on each call. What a failure quotes
 * of the call's request is replaced inside the attempt, in the rejection handler its run has anyway
 * (`droppingPageKeptOf`, the reader's, `streamThroughBreaker`'s `echoed`): no hop for it either.
 */
export interface Gate {
  readonly gate: BreakerLike | undefined;
  readonly scrubsPartials: boolean;
}

/**
 * Runs a buffered attempt through the breaker (or straight, without one). `redact` is the
 * call's own: a failure's partial answer is scrubbed of its key before the breaker sees it.
 */
export function throughBreaker<T>(
  via: Gate,
  callerSignal: AbortSignal | undefined,
  run: (breakerSignal: AbortSignal | undefined) => Promise<T>,
  redact: (text: string) => string,
): Promise<T> {
  const breaker = via.gate;
  if (breaker === undefined) return run(undefined);
  const probing = breaker.state !== 'closed';
  const scrubbed = via.scrubsPartials ? scrubbingFailure(redact) : undefined;
  const attempt =
    scrubbed === undefined
      ? (signal: AbortSignal) => run(followed(probing, signal, callerSignal))
      : (signal: AbortSignal) =>
          run(followed(probing, signal, callerSignal)).then(undefined, scrubbed);
  // Without a caller signal the breaker keeps its allocation-free fast path.
  if (callerSignal === undefined) return breaker.execute(attempt);
  return breaker.execute(attempt, { signal: callerSignal });
}

/**
 * Runs a streamed attempt inside the breaker, keeping the breaker's call open until the consumer
 * has read the whole body: the breaker sees a stall or a mid-stream failure as a failure, and a
 * probe slot is held exactly as long as the exchange (an abort frees it). A consumer that stops
 * reading ends the call without blame: its outcome rejects with {@link CONSUMER_LEFT}, which
 * every breaker ignores, unless `complete()` says it had read the whole answer (a success).
 */
export async function* streamThroughBreaker<T>(
  via: Gate,
  callerSignal: AbortSignal | undefined,
  start: (breakerSignal: AbortSignal | undefined) => AsyncGenerator<T, void, undefined>,
  redact: (text: string) => string,
  complete?: () => boolean,
  echoed?: object,
): AsyncGenerator<T, void, undefined> {
  if (via.gate === undefined) {
    yield* start(undefined);
    return;
  }
  const ready = deferred<AsyncGenerator<T, void, undefined>>();
  const outcome = deferred<void>();
  // The breaker may reject before running the function (open): then nobody awaits `outcome`.
  outcome.promise.catch(() => {});
  const execution = throughBreaker(
    via,
    callerSignal,
    (breakerSignal) => {
      ready.resolve(start(breakerSignal));
      return outcome.promise;
    },
    redact,
  );
  execution.catch((error: unknown) => ready.reject(error));
  const generator = await ready.promise;
  let settled = false;
  try {
    for await (const item of generator) yield item;
    settled = true;
    outcome.resolve();
  } catch (error) {
    settled = true;
    // Before the breaker publishes the failure (`x:breaker:failure`, `onFailure`).
    if (echoed !== undefined) scrubPromptEchoes(error, echoed);
    outcome.reject(error);
    throw error;
  } finally {
    if (settled) {
      // settled above
    } else if (complete?.() === true) outcome.resolve();
    else outcome.reject(CONSUMER_LEFT);
  }
  await execution.catch(() => {});
}

/**
 * What an attempt run inside the breaker ends with when it fails: its error, its partial answer
 * scrubbed of the call's secrets before the breaker publishes it (`x:breaker:failure`,
 * `onFailure`), which is before the call ends, where a failed call's error is scrubbed otherwise.
 */
function scrubbingFailure(redact: (text: string) => string): (error: unknown) => never {
  return (error) => {
    scrubPartial(redact, error);
    throw error;
  };
}
