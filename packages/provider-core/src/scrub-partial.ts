import { partialOf } from './errors';

/** Partial answers already scrubbed: the breaker's gate scrubs one, the call's end sees it again. */
const scrubbed = new WeakSet<object>();

/**
 * What a failed stream had produced is model output, but a hostile server can echo a request's
 * key into it: the partial answer an error carries (its text, its thinking, the arguments of its
 * tool calls) is scrubbed like any server text, in place (the error is ours, just made), once.
 * `redact` is the call's own where it is known (`Redactor.redactFor`: its key in every form,
 * however many keys a key callback handed out since), else the provider's.
 */
export function scrubPartial(redact: (text: string) => string, error: unknown): void {
  const partial = partialOf(error);
  if (partial === undefined || scrubbed.has(partial)) return;
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
