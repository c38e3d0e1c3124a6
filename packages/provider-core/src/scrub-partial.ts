import { partialOf } from './errors';
import type { Redactor } from './secrets';
import type { BreakerLike } from './stages/breaker-gate';

/** Partial answers already scrubbed: the breaker's gate scrubs one, the call's end sees it again. */
const scrubbed = new WeakSet<object>();

/**
 * What a failed stream had produced is model output, but a hostile server can echo a request's
 * key into it: the partial answer an error carries (its text, its thinking, the arguments of its
 * tool calls) is scrubbed like any server text, in place (the error is ours, just made), once.
 * Reported as coming from `endpoint` when it is known.
 */
export function scrubPartial(redactor: Redactor, error: unknown, endpoint?: string): void {
  const partial = partialOf(error);
  if (partial === undefined || scrubbed.has(partial)) return;
  const redact = (text: string) => redactor.redactAt(text, endpoint);
  const content = redact(partial.content);
  const thinking = redact(partial.thinking);
  const toolCalls = redactDeep(partial.toolCalls, redact);
  if (
    content === partial.content &&
    thinking === partial.thinking &&
    toolCalls === partial.toolCalls
  ) {
    scrubbed.add(partial);
    return;
  }
  const clean = Object.freeze({ ...partial, content, thinking, toolCalls });
  scrubbed.add(clean);
  Object.defineProperty(error, 'partial', {
    value: clean,
    enumerable: true,
    writable: false,
    configurable: true,
  });
}

/** `value` with every string in it redacted; the same object when nothing changed. */
function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    const out = value.map((item) => redactDeep(item, redact));
    return out.some((item, i) => item !== value[i]) ? (out as T) : value;
  }
  if (typeof value === 'object' && value !== null) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = redactDeep(item, redact);
      if (out[key] !== item) changed = true;
    }
    return changed ? (out as T) : value;
  }
  return value;
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
