import { isPlainObject } from '@x/internal';
import { type Exchange, type Json, nowNs, type SimContext, sendError } from './context';
import { parseKeepAlive } from './go-duration';
import { goQuote } from './go-json';
import type { Life } from './life';
import { findModel, type LookupError } from './model-lookup';
import { qualifiedName } from './model-name';
import type { ResolvedModel } from './resolve-model';
import type { Responder } from './responder';
import type { ModelRuntime, RunnerOptions, RunnerSetup } from './scheduler';
import { checkOptions } from './validate';

// How a request gets to run on a model, as Ollama's handlers and scheduler do it: the checks, the
// keep_alive, the context window, context shift and runner options, the model's runner launched
// with them (loaded through the scheduler's queue when it is missing or was launched otherwise, or
// 503 when that queue is full), and a slot on it.

const BUSY_TEXT = 'server busy, please try again.  maximum pending requests exceeded';

/** A request that holds a slot on a loaded model; give it back with {@link release}. */
export interface Admitted {
  readonly rt: ModelRuntime;
  readonly keepAliveMs: number;
  readonly options: Json | undefined;
  readonly numCtx: number;
  /** The runner shifts the context when generation fills it (llama-server's `--context-shift`). */
  readonly contextShift: boolean;
  /** `nowNs()` when the request was admitted: the start of `total_duration`. */
  readonly start: number;
}

/** The request's `keep_alive` in ms (already validated by the field checks). */
export function keepAliveOf(ctx: SimContext, body: Json): number {
  return (parseKeepAlive(body.keep_alive, ctx.opts.keepAliveMs) as { ms: number }).ms;
}

/** A vision model runs with at least this window (server/sched.go getRunner). */
const VISION_MIN_CTX = 2048;

/**
 * `options.num_ctx`, else the model's `numCtx`, else the server default; at least 2048 for a
 * vision model; capped at the trained length.
 */
export function windowFor(
  ctx: SimContext,
  model: ResolvedModel,
  options: Json | undefined,
): number {
  const requested = options?.num_ctx;
  let base =
    typeof requested === 'number' && requested > 0
      ? Math.trunc(requested)
      : (model.numCtx ?? ctx.opts.defaultNumCtx);
  if (model.capabilities.includes('vision')) base = Math.max(base, VISION_MIN_CTX);
  return Math.min(base, model.contextLength);
}

/** api.DefaultOptions' batch, and llama-server's default for an embedding model (llm/llama_server.go). */
const DEFAULT_BATCH = 512;
const EMBEDDING_BATCH = 2048;

/**
 * The runner options a request resolves to, as scheduleRunner builds them: the request's options
 * over the model's Modelfile parameters over api.DefaultOptions (a null is no value, an integer
 * option is truncated). Without any `num_batch` an embedding model gets llama-server's embedding
 * batch, capped at the window; `draft_num_predict` is 0 for a model without a draft model; the
 * GPU layers default to -1, the server's choice. The automatic choices that depend on the
 * machine's memory (a batch sized to the free VRAM, mmap turned off under pressure) are not
 * simulated: an automatic batch is the default 512.
 */
export function runnerOptionsFor(
  model: ResolvedModel,
  options: Json | undefined,
  numCtx: number,
): RunnerOptions {
  const given = (key: string): unknown => {
    const value = options?.[key];
    return value !== undefined && value !== null ? value : model.parameters[key];
  };
  const int = (key: string, fallback: number): number => {
    const value = given(key);
    return typeof value === 'number' ? Math.trunc(value) : fallback;
  };
  const named = (key: string) =>
    (options !== undefined && Object.hasOwn(options, key)) || Object.hasOwn(model.parameters, key);
  const mainGpu = given('main_gpu');
  const useMmap = given('use_mmap');
  const embedding = model.capabilities.includes('embedding') && !named('num_batch');
  return {
    numBatch: embedding ? Math.min(EMBEDDING_BATCH, numCtx) : int('num_batch', DEFAULT_BATCH),
    numGpu: int('num_gpu', -1),
    mainGpu: typeof mainGpu === 'number' ? Math.trunc(mainGpu) : undefined,
    useMmap: typeof useMmap === 'boolean' ? useMmap : undefined,
    numThread: int('num_thread', 0),
    draftNumPredict: int('draft_num_predict', 0),
  };
}

/**
 * server/sched.go resolveContextShift: the request's `shift`, else whether the model can shift
 * (here, unless `contextOverflow: 'error'`). Embed requests send none: the model's own setting.
 */
export function contextShiftOf(model: ResolvedModel, shift: unknown): boolean {
  return typeof shift === 'boolean' ? shift : model.contextOverflow !== 'error';
}

function touch(rt: ModelRuntime, keepAliveMs: number): void {
  if (rt.loaded !== undefined) rt.loaded.expiresAtMs = Date.now() + keepAliveMs;
}

/** A request that takes the runner sets its keep-alive anew, as Ollama's getRunner does. */
function renew(rt: ModelRuntime, keepAliveMs: number): void {
  rt.unloadWhenIdle = false;
  touch(rt, keepAliveMs);
}

/**
 * Gets the model's runner with this setup (loading it, or 503 when the scheduler's queue is
 * full) and a slot on it. False when the request is over (answered or aborted); true when it
 * holds a slot to {@link release}.
 */
export async function takeSlot(
  ctx: SimContext,
  rt: ModelRuntime,
  setup: RunnerSetup,
  keepAliveMs: number,
  life: Life,
  out: Responder,
): Promise<boolean> {
  const runner = await ctx.scheduler.runner(rt, setup, life);
  if (runner === 'busy') {
    await sendError(out, 503, BUSY_TEXT);
    return false;
  }
  if (!runner) return false;
  const slot = ctx.scheduler.slot(rt, life);
  if (slot !== true && !(await slot)) {
    rt.leave();
    return false;
  }
  if (life.aborted) {
    ctx.scheduler.release(rt);
    return false;
  }
  renew(rt, keepAliveMs);
  return true;
}

/** Gives the slot back; `keep_alive: 0` (or an unload asked meanwhile) unloads the model once idle. */
export function release(ctx: SimContext, rt: ModelRuntime, keepAliveMs: number): void {
  touch(rt, keepAliveMs);
  ctx.scheduler.release(rt);
  if ((keepAliveMs === 0 || rt.unloadWhenIdle) && rt.refs === 0) {
    rt.loaded = undefined;
    rt.unloadWhenIdle = false;
  }
}

/**
 * An empty prompt with `keep_alive: 0` ("0", "0s", 0.0...): Ollama's handlers expire the runner
 * before any capability check, slot or load (sched.expireRunner), so the answer is immediate and
 * nothing loads; a runner still serving requests goes once they end. A runner that crashed goes
 * the same way (the scheduler's ping fails, and the next request loads the model again).
 */
export function expireRunner(rt: ModelRuntime): void {
  if (rt.refs === 0) rt.loaded = undefined;
  else if (rt.loaded !== undefined) rt.unloadWhenIdle = true;
}

/** Go's `req.Template != "" || req.System != "" || len(req.Context) > 0`: an empty list is none. */
function hasRawConflict(body: Json): boolean {
  const filled = (v: unknown) => typeof v === 'string' && v !== '';
  return (
    filled(body.template) ||
    filled(body.system) ||
    (Array.isArray(body.context) && body.context.length > 0)
  );
}

/** The checks of chat and generate before an unload: `top_logprobs`, then the model's name and lookup. */
function lookup(
  ctx: SimContext,
  body: Json,
  model: string,
  route: 'chat' | 'generate',
): ModelRuntime | LookupError {
  const top = body.top_logprobs;
  if (typeof top === 'number' && (top < 0 || top > 20))
    return [400, 'top_logprobs must be between 0 and 20'];
  return findModel(ctx.store, route, model, ctx.opts.cloudDisabled);
}

/**
 * The other checks of chat and generate, in Ollama's order. GenerateHandler refuses `raw` with a
 * template, system or context only after the model lookup and the unload (routes.go), so an
 * unknown model is 404 and an empty prompt with `keep_alive: 0` unloads whatever else is sent.
 */
function precheck(
  body: Json,
  model: string,
  rt: ModelRuntime,
  route: 'chat' | 'generate',
): [number, string] | undefined {
  if (route === 'generate' && body.raw === true && hasRawConflict(body))
    return [400, 'raw mode does not support template, system, or context'];
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
    return [400, `${qualifiedName(rt.model.name)} does not support insert`];
  if (Array.isArray(body.tools) && body.tools.length > 0 && !caps.includes('tools'))
    return [400, `${qualifiedName(rt.model.name)} does not support tools`];
  const badOption = checkOptions(isPlainObject(body.options) ? body.options : undefined);
  if (badOption !== undefined) return [500, badOption];
  return undefined;
}

/**
 * The admission chat and generate share once their own checks passed. Undefined when an error
 * was answered or the client went away while queued; `'unload'` when `emptyPrompt` with
 * `keep_alive: 0` expired the runner (the caller answers `done_reason: "unload"`).
 */
export async function admit(
  ctx: SimContext,
  ex: Exchange,
  model: string,
  route: 'chat' | 'generate',
  emptyPrompt: boolean,
): Promise<Admitted | 'unload' | undefined> {
  const { body, out, life } = ex;
  const rt = lookup(ctx, body, model, route);
  if (Array.isArray(rt)) {
    await sendError(out, rt[0], rt[1]);
    return undefined;
  }
  const keepAliveMs = keepAliveOf(ctx, body);
  // Only a keep_alive the request sends: a server default of 0 loads, as `req.KeepAlive != nil`.
  const sent = body.keep_alive !== undefined && body.keep_alive !== null;
  if (emptyPrompt && sent && keepAliveMs === 0) {
    expireRunner(rt);
    return 'unload';
  }
  const pre = precheck(body, model, rt, route);
  if (pre !== undefined) {
    await sendError(out, pre[0], pre[1]);
    return undefined;
  }
  const options = isPlainObject(body.options) ? body.options : undefined;
  const numCtx = windowFor(ctx, rt.model, options);
  const setup = {
    numCtx,
    contextShift: contextShiftOf(rt.model, body.shift),
    options: runnerOptionsFor(rt.model, options, numCtx),
  };
  const start = nowNs();
  if (!(await takeSlot(ctx, rt, setup, keepAliveMs, life, out))) return undefined;
  return { rt, keepAliveMs, options, numCtx, contextShift: setup.contextShift, start };
}
