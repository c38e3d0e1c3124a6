import { type Exchange, type SimContext, sendError } from '../context';
import { goJson } from '../go-json';
import { psEntry, showBody } from '../model-json';
import { findModel } from '../model-lookup';
import { checkFields, SHOW_FIELDS } from '../validate';

// The read-only endpoints: liveness, version, the local models, the loaded ones, one model's details.

export function root(_ctx: SimContext, { out }: Exchange): Promise<void> {
  return out.send(200, 'Ollama is running', 'text/plain; charset=utf-8');
}

export function version(ctx: SimContext, { out }: Exchange): Promise<void> {
  return out.send(200, goJson({ version: ctx.opts.version }));
}

/**
 * `/api/status` (StatusHandler, api.StatusResponse): whether cloud features are off. A server
 * without OLLAMA_NO_CLOUD or `disable_ollama_cloud` answers not disabled, source "none";
 * `cloudDisabled` is the environment variable (source "env").
 */
export function status(ctx: SimContext, { out }: Exchange): Promise<void> {
  const disabled = ctx.opts.cloudDisabled;
  return out.send(200, goJson({ cloud: { disabled, source: disabled ? 'env' : 'none' } }));
}

export function tags(ctx: SimContext, { out }: Exchange): Promise<void> {
  return out.send(200, ctx.store.tagsJson());
}

/** `/api/ps`: loaded runners, the one expiring last first. */
export function ps(ctx: SimContext, { out }: Exchange): Promise<void> {
  return out.send(200, psJson(ctx));
}

function psJson(ctx: SimContext): string {
  const loaded = ctx.store
    .loaded(Date.now())
    .sort((a, b) => b.state.expiresAtMs - a.state.expiresAtMs)
    .map((x) => psEntry(x.rt.model, x.state));
  return goJson({ models: loaded });
}

export function show(ctx: SimContext, { body, out }: Exchange): Promise<void> {
  const bad = checkFields(body, SHOW_FIELDS, 'ShowRequest', undefined);
  if (bad !== undefined) return sendError(out, 400, bad);
  const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
  if (name === '') return sendError(out, 400, 'model is required');
  const rt = findModel(ctx.store, 'show', name, ctx.opts.cloudDisabled);
  if (Array.isArray(rt)) return sendError(out, rt[0], rt[1]);
  rt.show ??= showBody(rt.model);
  return out.send(200, rt.show);
}
