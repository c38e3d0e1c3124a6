import type { ModelSummary } from '../types';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;

/**
 * Parses `/models` (`{ object: 'list', data: [{ id, object, created, owned_by }] }`). The context
 * window is kept where a server lists it: vLLM's `max_model_len`, Groq's `context_window`,
 * OpenRouter's and LM Studio's `context_length`.
 */
export function parseModelList(body: unknown): ModelSummary[] {
  const data = (typeof body === 'object' && body !== null ? (body as Json).data : undefined) ?? [];
  if (!Array.isArray(data)) return [];
  const out: ModelSummary[] = [];
  for (const item of data) {
    if (typeof item !== 'object' || item === null) continue;
    const model = item as Json;
    const id = str(model.id);
    if (id === undefined) continue;
    out.push({
      id,
      ownedBy: str(model.owned_by),
      created: typeof model.created === 'number' ? model.created : undefined,
      contextLength:
        positive(model.max_model_len) ??
        positive(model.context_window) ??
        positive(model.context_length),
    });
  }
  return out;
}
