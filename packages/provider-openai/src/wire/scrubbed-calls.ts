import { redactOnce } from '@x/provider-core';
import type { OpenAIToolCall } from '../types';

/**
 * `calls` with each one's id and name scrubbed (in place) of the call's secrets: the server words
 * them, so a hostile one (or a proxy echoing headers) may put the request's key there, and a
 * stream hands them to the caller, and to a shared cache's record, before the answer's own scrub
 * (provider-core's `scrubAnswer`). A name or id holding nothing secret is left as it is. An id is
 * new with each call, so its scrub is not remembered (`redactOnce`); a name is, as tools recur.
 */
export function scrubbedCalls(
  calls: OpenAIToolCall[],
  redact: (text: string) => string,
): OpenAIToolCall[] {
  for (const call of calls) {
    if (call.id !== undefined) call.id = redactOnce(redact, call.id);
    call.name = redact(call.name);
  }
  return calls;
}
