import { isPlainObject } from '@x/internal';
import { type Exchange, type Json, nowNs, type SimContext, sendError } from './context';
import { parseKeepAlive } from './go-duration';
import { goQuote } from './go-json';
import type { Life } from './life';
import { runnerSize } from './model-json';
import type { ResolvedModel } from './resolve-model';
import type { Responder } from './responder';
import type { ModelRuntime } from './scheduler';
import { checkOptions } from './validate';

// How a request gets to run on a model, as Ollama's scheduler does it: the checks, the keep_alive,
// the context window, a slot in the model's queue (or 503), and a load when the runner is missing
// or has another window.

const BUSY_TEXT = 'server busy, please try again.  maximum pending requests exceeded';

/** A request that holds a slot on a loaded model; give it back with {@link release}. */
export interface Admitted {
  readonly rt: ModelRuntime;
  readonly keepAliveMs: number;
  readonly options: Json | undefined;
  readonly numCtx: number;
  /** `nowNs()` when the request was admitted: the start of `total_duration`. */
  readonly start: number;
}

/** The request's `keep_alive` in ms (already validated by the field checks). */
export function keepAliveOf(ctx: SimContext, body: Json): number {
  return (parseKeepAlive(body.keep_alive, ctx.opts.keepAliveMs) as { ms: number }).ms;
}

/** `options.num_ctx`, else the model's `numCtx`, else the server default; capped at the trained length. */
export function windowFor(
  ctx: SimContext,
  model: ResolvedModel,
  options: Json | undefined,
): number {
  const requested = options?.num_ctx;
  const base =
    typeof requested === 'number' && requested > 0
      ? Math.trunc(requested)
      : (model.numCtx ?? ctx.opts.defaultNumCtx);
  return Math.min(base, model.contextLength);
}

async function ensureLoaded(rt: ModelRuntime, numCtx: number, life: Life): Promise<void> {
  for (;;) {
    if (rt.isLoaded(numCtx, Date.now())) return;
    if (rt.loading !== undefined) {
      await rt.loading.done;
      if (life.aborted) return;
      continue;
    }
    const done = life.sleep(rt.model.loadTimeMs).then(() => {
      rt.loading = undefined;
      if (life.aborted) return; // a disconnect aborts the load, as in Ollama
      rt.loads++;
      rt.loaded = {
        numCtx,
        expiresAtMs: Number.POSITIVE_INFINITY,
        sizeVram: runnerSize(rt.model, numCtx),
      };
    });
    rt.loading = { numCtx, done };
    await done;
    if (life.aborted) return;
  }
}

function touch(rt: ModelRuntime, keepAliveMs: number): void {
  if (rt.loaded !== undefined) rt.loaded.expiresAtMs = Date.now() + keepAliveMs;
}

/**
 * Takes a slot (or answers 503) and loads the model with this window. False when the request is
 * over (answered or aborted); true when it holds a slot to {@link release}.
 */
export async function takeSlot(
  ctx: SimContext,
  rt: ModelRuntime,
  numCtx: number,
  keepAliveMs: number,
  life: Life,
  out: Responder,
): Promise<boolean> {
  const slot = ctx.scheduler.acquire(rt, life);
  if (slot === 'busy') {
    await sendError(out, 503, BUSY_TEXT);
    return false;
  }
  if (slot !== true && !(await slot)) return false;
  if (!life.aborted) await ensureLoaded(rt, numCtx, life);
  if (life.aborted) {
    ctx.scheduler.release(rt);
    return false;
  }
  touch(rt, keepAliveMs);
  return true;
}

/** Gives the slot back; `keep_alive: 0` unloads the model once idle. */
export function release(ctx: SimContext, rt: ModelRuntime, keepAliveMs: number): void {
  touch(rt, keepAliveMs);
  ctx.scheduler.release(rt);
  if (keepAliveMs === 0 && rt.active === 0) rt.loaded = undefined;
}

function toolsName(rt: ModelRuntime): string {
  const name = rt.model.name;
  return name.includes('/') ? `registry.ollama.ai/${name}` : `registry.ollama.ai/library/${name}`;
}

/** Common checks of chat and generate, in Ollama's order: an error [status, text] or undefined. */
function precheck(
  body: Json,
  model: string,
  rt: ModelRuntime | undefined,
  route: 'chat' | 'generate',
): [number, string] | undefined {
  const top = body.top_logprobs;
  if (typeof top === 'number' && (top < 0 || top > 20))
    return [400, 'top_logprobs must be between 0 and 20'];
  if (rt === undefined) return [404, `model '${model}' not found`];
  const caps = rt.model.capabilities;
  const think = body.think;
  if ((think === true || typeof think === 'string') && !caps.includes('thinking'))
    return [400, `${goQuote(model)} does not support thinking`];
  if (!caps.includes('completion')) return [400, `${goQuote(model)} does not support ${route}`];
  if (
    route === 'generate' &&
    typeof body.suffix === 'string' &&
    body.suffix !== '' &&
    !caps.includes('insert')
  )
    return [400, `${goQuote(model)} does not support insert`];
  if (Array.isArray(body.tools) && body.tools.length > 0 && !caps.includes('tools'))
    return [400, `${toolsName(rt)} does not support tools`];
  const badOption = checkOptions(isPlainObject(body.options) ? body.options : undefined);
  if (badOption !== undefined) return [500, badOption];
  return undefined;
}

/**
 * The admission chat and generate share once their own checks passed. Undefined when an error
 * was answered or the client went away while queued.
 */
export async function admit(
  ctx: SimContext,
  ex: Exchange,
  model: string,
  route: 'chat' | 'generate',
): Promise<Admitted | undefined> {
  const { body, out, life } = ex;
  const rt = ctx.store.find(model);
  const pre = precheck(body, model, rt, route);
  if (pre !== undefined || rt === undefined) {
    await sendError(out, pre?.[0] ?? 404, pre?.[1] ?? `model '${model}' not found`);
    return undefined;
  }
  const keepAliveMs = keepAliveOf(ctx, body);
  const options = isPlainObject(body.options) ? body.options : undefined;
  const numCtx = windowFor(ctx, rt.model, options);
  const start = nowNs();
  if (!(await takeSlot(ctx, rt, numCtx, keepAliveMs, life, out))) return undefined;
  return { rt, keepAliveMs, options, numCtx, start };
}
