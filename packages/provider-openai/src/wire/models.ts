import { EMPTY_PARTIAL, type ProviderCore } from '@x/provider-core';
import { OpenAIStreamError } from '../errors';
import type { ModelSummary } from '../types';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses `/models` (`{ object: 'list', data: [{ id, object, created, owned_by }] }`). The context
 * window is kept where a server lists it: vLLM's `max_model_len`, Groq's `context_window`,
 * OpenRouter's and LM Studio's `context_length`.
 *
 * An answer that is not a model list is the typed `invalid-json` stream error, as an `/embeddings`
 * answer of the wrong shape is: `{"error":"unauthorized"}` sent with a 200 by a proxy, or `[]`,
 * returned as no models, would read as a key allowed none; an entry that is not an object or has
 * no string `id` would be a model nobody can name. Lenient where servers are: `data: null` (Ollama's
 * `/v1/models` with no models, an empty Go slice) and a `{ object: 'list' }` without `data` are an
 * empty list, and an entry's other fields may be missing.
 *
 * The server words the ids and owners: a hostile one (or a proxy echoing headers) may put the
 * key there, so each is scrubbed with the provider's redactor (`scrub.redact`, which remembers a
 * clean text: the same ids come back on the next list and as answers' `model`).
 */
export function parseModelList(
  body: unknown,
  label: string,
  scrub: Pick<ProviderCore, 'redact'>,
): ModelSummary[] {
  if (!isObject(body)) throw notModelList(label, `it is ${shapeOf(body)}`);
  const data = body.data ?? (body.object === 'list' ? [] : undefined);
  if (!Array.isArray(data)) throw notModelList(label, `no \`data\` array (${shapeOf(data)})`);
  const out: ModelSummary[] = [];
  for (let i = 0; i < data.length; i++) {
    const item: unknown = data[i];
    if (!isObject(item)) throw notModelList(label, `data[${i}] is ${shapeOf(item)}`);
    const id = str(item.id);
    if (id === undefined || id === '') throw notModelList(label, `data[${i}] has no \`id\``);
    const ownedBy = str(item.owned_by);
    out.push({
      id: scrub.redact(id),
      ownedBy: ownedBy === undefined ? undefined : scrub.redact(ownedBy),
      created: typeof item.created === 'number' ? item.created : undefined,
      contextLength:
        positive(item.max_model_len) ??
        positive(item.context_window) ??
        positive(item.context_length),
    });
  }
  return out;
}

/** What a value is, for a message (never the value: a body may echo a secret). */
function shapeOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function notModelList(label: string, what: string): OpenAIStreamError {
  return new OpenAIStreamError({
    label,
    reason: 'invalid-json',
    message: `${label}'s /models answer is not a model list: ${what}`,
    partial: EMPTY_PARTIAL,
  });
}
