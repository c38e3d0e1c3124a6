import { type Exchange, type SimContext, sendError } from '../context';
import { goQuote } from '../go-json';
import { findModel } from '../model-lookup';
import { isValidName } from '../model-name';
import { modelKey } from '../model-store';
import { fullModelName } from '../resolve-model';
import { COPY_FIELDS, checkFields, DELETE_FIELDS } from '../validate';

// `DELETE /api/delete` and `POST /api/copy`: 200 with an empty body, Ollama's texts otherwise.

export async function remove(ctx: SimContext, ex: Exchange): Promise<void> {
  const { body, out } = ex;
  const bad = checkFields(body, DELETE_FIELDS, 'DeleteRequest', undefined);
  if (bad !== undefined) return sendError(out, 400, bad);
  const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
  const rt = findModel(ctx.store, 'delete', name);
  if (Array.isArray(rt)) return sendError(out, rt[0], rt[1]);
  ctx.store.remove(rt);
  return out.send(200, '', null);
}

export async function copy(ctx: SimContext, ex: Exchange): Promise<void> {
  const { body, out } = ex;
  const bad = checkFields(body, COPY_FIELDS, 'CopyRequest', undefined);
  if (bad !== undefined) return sendError(out, 400, bad);
  const source = typeof body.source === 'string' ? body.source : '';
  const destination = typeof body.destination === 'string' ? body.destination : '';
  if (!isValidName(source)) return sendError(out, 400, `source ${goQuote(source)} is invalid`);
  if (!isValidName(destination))
    return sendError(out, 400, `destination ${goQuote(destination)} is invalid`);
  const rt = ctx.store.find(source);
  if (rt === undefined) return sendError(out, 404, `model ${goQuote(source)} not found`);
  const name = fullModelName(destination);
  if (modelKey(name) !== rt.model.key)
    ctx.store.add({ ...rt.model, name, key: modelKey(name), modifiedAtMs: Date.now() });
  return out.send(200, '', null);
}
