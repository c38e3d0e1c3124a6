import { redactedServerText } from '@x/provider-core';
import type {
  OpenAIModeration,
  OpenAIModerationOutcome,
  OpenAIModerationResult,
} from '../moderation-types';
import { type Json, num, obj, str } from './chat-fields';

/** At most this many results a side, and entries a category map: what a hostile server can add. */
const MAX_ENTRIES = 256;
/** An error message from the server is cut to this many characters. */
const MAX_MESSAGE = 1_024;

/**
 * The entries of `value` (an object) whose value passes `keep`, at most {@link MAX_ENTRIES}, each
 * name scrubbed (the server words it; the same few categories recur, so the scrub remembers them).
 */
function entriesOf<T>(
  value: unknown,
  keep: (v: unknown) => v is T,
  redact: (text: string) => string,
): Record<string, T> {
  const map = obj(value);
  if (map === undefined || Array.isArray(map)) return {};
  const kept: Array<[string, T]> = [];
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (keep(v)) kept.push([redact(key), v]);
    if (kept.length === MAX_ENTRIES) break;
  }
  // `Object.fromEntries` defines each key: a category named `__proto__` stays a key.
  return Object.fromEntries(kept);
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isScore = (v: unknown): v is number => num(v) !== undefined;
const isInputTypes = (v: unknown): v is Array<'text' | 'image'> =>
  Array.isArray(v) && v.every((t) => t === 'text' || t === 'image');

/** A model's name as the server words it, scrubbed (`''` when it sent none). */
const modelOf = (value: Json, redact: (text: string) => string): string =>
  redact(str(value.model) ?? '');

function resultOf(value: Json, redact: (text: string) => string): OpenAIModerationResult {
  return {
    type: 'moderation_result',
    model: modelOf(value, redact),
    flagged: value.flagged === true,
    categories: entriesOf(value.categories, isBoolean, redact),
    categoryScores: entriesOf(value.category_scores, isScore, redact),
    categoryAppliedInputTypes: entriesOf(value.category_applied_input_types, isInputTypes, redact),
  };
}

/**
 * The moderation of an answer: the completion's top-level `moderation`, or a stream's moderation
 * chunk's, `{ input, output }` each `{ type: 'moderation_results', model, results }` or
 * `{ type: 'error', code, message }`, in the response's camelCase. Whether it is still due decides
 * when a stream's answer is complete: a moderated request's chunk comes after the usage one.
 */
export class ModerationReader {
  readonly #requested: boolean;
  readonly #redact: (text: string) => string;
  #value: OpenAIModeration | undefined;

  constructor(requested: boolean, redact: (text: string) => string) {
    this.#requested = requested;
    this.#redact = redact;
  }

  /** True while the request asked for moderation and none arrived yet. */
  get pending(): boolean {
    return this.#requested && this.#value === undefined;
  }

  /** Reads an event's or a completion's `moderation` (nothing for `null` or a field left out). */
  add(value: unknown): void {
    const moderation = obj(value);
    if (moderation === undefined) return;
    this.#value = {
      input: this.#outcome(moderation.input),
      output: this.#outcome(moderation.output),
    };
  }

  result(): OpenAIModeration | undefined {
    return this.#value;
  }

  #outcome(value: unknown): OpenAIModerationOutcome | undefined {
    const side = obj(value);
    if (side === undefined) return undefined;
    if (side.type === 'error') {
      // The server's words: scrubbed of what looks like a secret, as an in-band error's are.
      const message = redactedServerText(str(side.message) ?? '', this.#redact, MAX_MESSAGE);
      return {
        type: 'error',
        code: redactedServerText(str(side.code) ?? '', this.#redact, 64),
        message,
      };
    }
    const results: OpenAIModerationResult[] = [];
    if (Array.isArray(side.results)) {
      for (const item of side.results.slice(0, MAX_ENTRIES)) {
        const result = obj(item);
        if (result !== undefined) results.push(resultOf(result, this.#redact));
      }
    }
    return { type: 'moderation_results', model: modelOf(side, this.#redact), results };
  }
}
