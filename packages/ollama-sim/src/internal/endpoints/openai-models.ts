import { cloudPassthrough } from '../cloud-passthrough';
import type { Exchange, SimContext } from '../context';
import { goJson } from '../go-json';
import { findModel } from '../model-lookup';
import type { ResolvedModel } from '../resolve-model';
import { OPENAI_JSON_TYPE } from '../wire';

// `GET /v1/models` and `GET /v1/models/{model}`: the local models (the ones /api/tags lists, so a
// pull, create, copy or delete shows here at once) as OpenAI model objects (openai.ToListCompletion,
// ToModel): `created` is the modification time in seconds, `owned_by` the name's namespace.

/** model.ParseName(name).Namespace: `library` unless the name has one (`user/model`). */
function namespaceOf(name: string): string {
  const parts = name.split('/');
  return parts.length >= 2 ? parts[parts.length - 2]! : 'library';
}

function modelObject(id: string, m: ResolvedModel): Record<string, unknown> {
  return {
    id,
    object: 'model',
    created: Math.floor(m.modifiedAtMs / 1000),
    owned_by: namespaceOf(id),
  };
}

export function listModels(ctx: SimContext, { out }: Exchange): Promise<void> {
  const data = ctx.store.runtimes
    .map((rt) => rt.model)
    .sort((a, b) => b.modifiedAtMs - a.modifiedAtMs)
    .map((m) => modelObject(m.name, m));
  // Go marshals the list of an empty server as null.
  const body = goJson({ object: 'list', data: data.length > 0 ? data : null });
  return out.send(200, `${body}\n`, OPENAI_JSON_TYPE);
}

export function retrieveModel(ctx: SimContext, ex: Exchange): Promise<void> {
  const { out, param } = ex;
  let id = param ?? '';
  try {
    id = decodeURIComponent(id);
  } catch {
    // gin matches the raw path when it does not decode: keep it as sent
  }
  // gin routes on the decoded path: an escaped slash makes it two segments, which no route has.
  if (id.includes('/')) return out.send(404, '404 page not found', 'text/plain');
  const refused = cloudPassthrough(ctx, ex, id.trim(), 'show');
  if (refused !== undefined) return refused;
  // Ollama's middleware hands the name to the /api/show handler: its errors, in OpenAI's shape.
  const rt = findModel(ctx.store, 'show', id);
  if (Array.isArray(rt)) return out.sendError(rt[0], rt[1]);
  return out.send(200, `${goJson(modelObject(id, rt.model))}\n`, OPENAI_JSON_TYPE);
}
