import { toWellFormed } from '@x/internal';
import { MAX_MODEL_NAME } from '../observe/model-labels';
import type { Runtime } from '../runtime';
import { gatherScrubs, redactOnce, tellScrubs } from '../secrets';

// What a server says about its answer besides the answer itself, its `model` and its finish
// reason, leaves the call as fields of events, logs, spans and metrics. A hostile server (or a
// proxy echoing headers) may put the request's key there, or a megabyte of text: these are the
// two steps every such field goes through, once for all providers.

/** The longest finish reason shown: every API's are a word or two (`content_filter`). */
const MAX_FINISH_REASON = 64;

/**
 * Finish reasons the APIs define (OpenAI's and Ollama's): words, not the server's own text, so
 * the scrub of every successful call skips them.
 */
const KNOWN_FINISH_REASONS = new Set([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
  'load',
  'unload',
]);

/**
 * The other fields of an answer the server words, each the providers' own name for it (OpenAI's
 * `id`, `system_fingerprint` and `service_tier`, Ollama's `created_at`): text that nothing reads
 * but the caller, so a hostile server (or a proxy echoing headers) can put the request's key
 * there, and a cache shared by providers with other keys would replay it. A field an answer does
 * not have costs a property read. These are the same on many answers: the scrub remembers them
 * clean.
 */
const IDENTITY_FIELDS = ['systemFingerprint', 'serviceTier'] as const;

/**
 * The identity fields each answer words anew (its id, its time): scrubbed with `redactOnce`, as
 * remembering them would only push the model names out of the scrub's bounded memo.
 */
const ONE_OFF_FIELDS = ['id', 'createdAt'] as const;

/** The answer fields a server words. */
interface Worded {
  model?: unknown;
  finishReason?: unknown;
  id?: unknown;
  systemFingerprint?: unknown;
  serviceTier?: unknown;
  createdAt?: unknown;
}

/**
 * Scrubs the server-worded fields of a fresh answer with the call's redactor (its own key in
 * every form, however many keys a key callback handed out since, then every known secret), as
 * its error messages are: before the answer is cached, returned or observed, so a cache hit
 * replays the scrubbed text. A field that held nothing secret is left as it is; a model that is
 * the request's own (what Ollama answers) shows nothing the request did not, and is left too.
 * The model, the finish reason and the identity fields ({@link IDENTITY_FIELDS} and
 * {@link ONE_OFF_FIELDS}); a tool call's id and name are scrubbed by the provider's accumulator as
 * the call is read, since a stream hands them to the caller before the answer is complete. What
 * the scrub finds in all of them is one `secret-scrubbed` audit event.
 */
export function scrubAnswer(
  response: object,
  redact: (text: string) => string,
  requestModel: string,
): void {
  const worded = response as Worded;
  gatherScrubs(redact);
  if (typeof worded.model === 'string' && worded.model !== '' && worded.model !== requestModel) {
    worded.model = redact(worded.model);
  }
  const reason = worded.finishReason;
  if (typeof reason === 'string' && reason !== '' && !KNOWN_FINISH_REASONS.has(reason)) {
    worded.finishReason = redact(reason);
  }
  for (const field of IDENTITY_FIELDS) {
    const value = worded[field];
    if (typeof value === 'string' && value !== '') worded[field] = redact(value);
  }
  for (const field of ONE_OFF_FIELDS) {
    const value = worded[field];
    if (typeof value === 'string' && value !== '') worded[field] = redactOnce(redact, value);
  }
  tellScrubs(redact);
}

/** The model and finish reason of an answer as events, spans and metrics show them. */
export interface ShownAnswer {
  model: string | undefined;
  finishReason: string | undefined;
}

/**
 * The server-worded fields as they may be shown, scrubbed already ({@link scrubAnswer}): cut to a
 * bounded length, so a server cannot put a megabyte into every span, then left out when empty, not
 * a string, or holding a long secret in a form no scrub saw (an answer cached before the scrub).
 */
export function shownAnswer(rt: Runtime, response: object): ShownAnswer {
  const worded = response as Worded;
  return {
    model: shown(rt, worded.model, MAX_MODEL_NAME),
    finishReason: shown(rt, worded.finishReason, MAX_FINISH_REASON),
  };
}

function shown(rt: Runtime, value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  // Cut before the check: `holdsSecret` remembers the texts it found clean, and a server could
  // otherwise fill that memo with megabytes.
  const text = value.length <= max ? value : cut(value, max);
  return rt.redactor.holdsSecret(text) ? undefined : text;
}

/** `text` cut to `max` characters, an ellipsis last; a surrogate pair the cut splits ends as U+FFFD. */
function cut(text: string, max: number): string {
  return `${toWellFormed(text.slice(0, max - 1))}…`;
}
