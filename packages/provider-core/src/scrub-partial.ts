import { partialOf } from './errors';
import type { Redactor } from './secrets';
import type { BreakerLike } from './stages/breaker-gate';

/**
 * What a failed stream had produced is model output, but a hostile server can echo a request's
 * key into it: the partial answer an error carries is scrubbed like any server text, in place
 * (the error is ours, just made). Reported as coming from `endpoint` when it is known.
 */
export function scrubPartial(redactor: Redactor, error: unknown, endpoint?: string): void {
  const partial = partialOf(error);
  if (partial === undefined) return;
  const content = redactor.redactAt(partial.content, endpoint);
  const thinking = redactor.redactAt(partial.thinking, endpoint);
  if (content === partial.content && thinking === partial.thinking) return;
  Object.defineProperty(error, 'partial', {
    value: Object.freeze({ ...partial, content, thinking }),
    enumerable: true,
    writable: false,
    configurable: true,
  });
}

/**
 * The breaker, told of an attempt's error only once its partial answer is scrubbed: the breaker
 * publishes the error (`x:breaker:failure`, `onFailure`) before the call ends, which is where a
 * failed call's error is scrubbed otherwise. Errors made by a wire decoder go this way too, not
 * only the provider's error kit.
 */
export function scrubbingGate(breaker: BreakerLike, redactor: Redactor): BreakerLike {
  const scrubbed = (error: unknown): never => {
    scrubPartial(redactor, error);
    throw error;
  };
  return {
    get state() {
      return breaker.state;
    },
    execute(fn, options) {
      return breaker.execute(
        (signal) => Promise.resolve(fn(signal)).then(undefined, scrubbed),
        options,
      );
    },
  };
}
