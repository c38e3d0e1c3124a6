import { BoundedMap } from '@x/internal';
import type { ContextPlanner, WindowPlan } from '@x/provider-core';
import { isModelNotFoundError, isOllamaError } from './errors';
import type { ChatRequest, LoadedModel, ModelInfo } from './types';
import { requestedNumCtx } from './wire/body';
import { isCloudName, modelKey } from './wire/models';

/**
 * The window assumed for a model the server has not loaded and whose Modelfile names none: the
 * smallest default of the servers in use (4096 on servers since 0.6.7 with under 23 GiB of VRAM;
 * 32768 and 262144 above, or `OLLAMA_CONTEXT_LENGTH`). Never larger: a prompt sent without
 * `num_ctx` on a guess too large would be cut by the server, silently.
 */
const DEFAULT_NUM_CTX = 4096;

/** Models whose window is remembered (bounded memory). */
const MAX_MODELS = 256;

/** `llama3.2` and `llama3.2:latest` are one model; names match case-insensitively. */
function sameModel(a: string, b: string): boolean {
  return modelKey(a) === modelKey(b);
}

/**
 * Ollama's context windows, chosen so a request never forces a model reload.
 *
 * Ollama runs each loaded model with one window (`num_ctx`); a request that sends a different one
 * makes it reload the model, which takes seconds. So no `num_ctx` is sent unless the prompt needs
 * more than the window the server will use. That window is learnt from the server: the window of
 * the loaded model (`/api/ps` `context_length`), else the Modelfile's `num_ctx` (`/api/show`),
 * else 4096. A prompt that fits is sent without `num_ctx` and never changes the loaded window; a
 * prompt that does not fit raises the window (next power of two, never below the window the
 * server was seen to give a model it sized itself, see `#learn`, at most the trained length) and
 * that window is then sent with every request for the model, so it stays put. A cloud model runs with its trained
 * maximum and is sent no `num_ctx`. `tokens.numCtx` pins a window of your choice instead, sent
 * with every request.
 */
export class ContextWindows implements ContextPlanner<ChatRequest> {
  readonly #plans = new BoundedMap<string, WindowPlan>(MAX_MODELS);
  /**
   * Models whose window is a guess (not loaded when looked up, no Modelfile `num_ctx`): they are
   * sent without `num_ctx`, so the server sizes them. `true` when their `/api/show` said so (a
   * model whose info could not be read may have a Modelfile window).
   */
  readonly #guessed = new BoundedMap<string, boolean>(MAX_MODELS);
  /** Cloud models whose trained length is unknown: no window to check against. */
  readonly #windowless = new BoundedMap<string, true>(MAX_MODELS);
  /**
   * The window the server gives a model it sizes itself (its default by memory, or
   * `OLLAMA_CONTEXT_LENGTH`), as far as seen: the largest window in `/api/ps` of a model sent
   * without `num_ctx` on a guess (capped by that model's trained length, so at most the default).
   * Unknown until one was seen.
   */
  #serverDefault: number | undefined;
  /** Counts {@link forget} calls: a lookup that began before one does not store its plan. */
  #epoch = 0;
  /**
   * Models changed since their last lookup (keys of {@link modelKey}): a runner loaded before the
   * change still shows in `/api/ps` until it expires, with the old window, and Ollama reloads it
   * for the next request, so its window says nothing of the one the model will run with.
   */
  readonly #changed = new Set<string>();
  readonly #configured: number | undefined;
  /** The server is ollama.com itself: every model is a cloud model. */
  readonly #cloudServer: boolean;
  readonly #info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
  readonly #loaded: (signal: AbortSignal | undefined) => Promise<LoadedModel[]>;

  constructor(init: {
    /** `tokens.numCtx`. */
    configured: number | undefined;
    /** The base URL is ollama.com. */
    cloud?: boolean | undefined;
    info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
    loaded: (signal: AbortSignal | undefined) => Promise<LoadedModel[]>;
  }) {
    this.#configured = init.configured;
    this.#cloudServer = init.cloud === true;
    this.#info = init.info;
    this.#loaded = init.loaded;
  }

  requested(request: ChatRequest): number | undefined {
    return requestedNumCtx(request);
  }

  known(model: string): WindowPlan | undefined {
    return this.#plans.get(model);
  }

  /**
   * Forgets the plans of a model that was created, deleted, copied over or pulled: its Modelfile
   * window may have changed. Plans are keyed by the name as requested (the hot path looks them up
   * without normalising it), so every spelling of the name goes.
   */
  forget(model: string): void {
    this.#epoch++;
    const key = modelKey(model);
    if (this.#changed.size < MAX_MODELS) this.#changed.add(key);
    for (const name of [...this.#plans.keys()]) {
      if (modelKey(name) === key) {
        this.#plans.delete(name);
        this.#guessed.delete(name);
      }
    }
    for (const name of [...this.#windowless.keys()]) {
      if (modelKey(name) === key) this.#windowless.delete(name);
    }
  }

  /** A model served by ollama.com: by its name, by the server's address, or by `/api/show`. */
  #isCloud(model: string, info: ModelInfo | undefined): boolean {
    return (
      this.#cloudServer ||
      isCloudName(model) ||
      (info?.remoteHost !== undefined && info.remoteModel !== undefined)
    );
  }

  async lookup(model: string, signal: AbortSignal | undefined): Promise<WindowPlan | undefined> {
    if (this.#windowless.has(model)) return undefined;
    const epoch = this.#epoch;
    const changed = this.#changed.size > 0 && this.#changed.delete(modelKey(model));
    // A cloud model is never in `/api/ps`: not asked when the name or the address says so.
    const [info, loaded] = await Promise.all([
      this.#load(model, signal),
      this.#configured === undefined && !changed && !this.#cloudServer && !isCloudName(model)
        ? this.#loadedWindow(model, signal)
        : undefined,
    ]);
    const trained = info?.contextLength;
    // Cloud models run with their trained maximum ("Cloud models are set to their maximum context
    // length by default", docs/context-length.mdx): no guess, and no `num_ctx` to size them.
    const cloud = this.#configured === undefined && this.#isCloud(model, info);
    if (cloud && trained === undefined) {
      if (epoch === this.#epoch) this.#windowless.set(model, true);
      return undefined;
    }
    let window = cloud ? trained! : (this.#configured ?? loaded ?? info?.defaultNumCtx);
    const guessed = window === undefined;
    window ??= DEFAULT_NUM_CTX;
    if (trained !== undefined) window = Math.min(window, trained);
    // Another call may have planned it while we waited: keep one plan per model.
    const known = this.#plans.get(model);
    if (known !== undefined) return known;
    const plan = { window, send: this.#configured === undefined ? undefined : window, trained };
    // The model changed while this was looked up: what was learnt may be stale, so not kept.
    if (epoch !== this.#epoch) return plan;
    this.#plans.set(model, plan);
    if (guessed) this.#guessed.set(model, info !== undefined);
    else this.#guessed.delete(model);
    return plan;
  }

  async enlarge(
    model: string,
    needed: number,
    signal: AbortSignal | undefined,
  ): Promise<{ from: number; plan: WindowPlan } | { trained: number | undefined }> {
    const info = await this.#load(model, signal);
    const trained = info?.contextLength;
    if (trained !== undefined && needed > trained) return { trained };
    // A cloud model already runs with its trained maximum: nothing to raise.
    if (this.#configured === undefined && this.#isCloud(model, info)) return { trained };
    const current = this.#plans.get(model);
    const from = current?.window ?? this.#configured ?? DEFAULT_NUM_CTX;
    if (this.#guessed.has(model)) {
      // The window was a guess: the server may have loaded the model since, with a larger window
      // of its own (its default depends on its memory). Learn it rather than force a reload.
      const loaded = await this.#loadedWindow(model, signal);
      if (loaded !== undefined) {
        this.#guessed.delete(model);
        const plan = { window: loaded, send: undefined, trained };
        this.#plans.set(model, plan);
        if (loaded >= needed) return { from, plan };
      }
    }
    let raised = 2 ** Math.ceil(Math.log2(needed));
    // Never below the window the server gives a model it sizes itself: a model the server has not
    // loaded then gets no smaller window than it would have without `num_ctx`, and a window equal
    // to the server's own is one a request without `num_ctx` (another client's) does not reload
    // the model for (server/sched.go needsReload compares the two).
    if (this.#serverDefault !== undefined) raised = Math.max(raised, this.#serverDefault);
    if (trained !== undefined) raised = Math.min(raised, trained);
    const window = Math.max(raised, current?.send ?? 0);
    const plan = { window, send: window, trained };
    this.#plans.set(model, plan);
    this.#guessed.delete(model);
    return { from, plan };
  }

  /**
   * The window of the model as the server runs it now (`/api/ps`), if it is loaded; what the list
   * shows of the models sized by the server is learnt on the way.
   */
  async #loadedWindow(model: string, signal: AbortSignal | undefined): Promise<number | undefined> {
    try {
      const loaded = await this.#loaded(signal);
      this.#learn(loaded);
      return loaded.find((m) => sameModel(m.name, model))?.contextLength;
    } catch (error) {
      if (signal?.aborted) throw error;
      // Servers before 0.10.0 do not say; the other sources decide.
      return undefined;
    }
  }

  /**
   * Learns from `/api/ps` the windows of the models planned on a guess: they were sent without
   * `num_ctx`, so a loaded one runs with the window the server chose for it (server/sched.go keeps
   * that automatic window for every request that sets none). Its plan becomes that window, and,
   * when its Modelfile sets none, the server's default is at least as large (Ollama gives such a
   * model its default, capped by the trained length): the floor of a raise. Not the guess for a
   * model not loaded yet: a prompt sent without `num_ctx` on a guess too large (a window another
   * client asked for) would be cut silently; a raise too large only costs memory.
   */
  #learn(loaded: readonly LoadedModel[]): void {
    if (this.#guessed.size === 0) return;
    for (const entry of loaded) {
      const window = entry.contextLength;
      if (window === undefined) continue;
      for (const [name, sizedByServer] of [...this.#guessed]) {
        if (!sameModel(name, entry.name)) continue;
        this.#guessed.delete(name);
        const plan = this.#plans.get(name);
        if (plan === undefined) continue;
        this.#plans.set(name, { window, send: undefined, trained: plan.trained });
        if (sizedByServer) this.#serverDefault = Math.max(this.#serverDefault ?? 0, window);
      }
    }
  }

  /** Model info for the tokens step: a missing model fails; other trouble leaves the defaults. */
  #load(model: string, signal: AbortSignal | undefined): Promise<ModelInfo | undefined> {
    return infoOrUnknown(this.#info, model, signal);
  }
}

/**
 * Model info for a step before sending (the tokens step, the `think` check): a missing model, an
 * abort and a failure worth retrying fail the call; a server that cannot answer `/api/show` (an
 * error a retry would meet again) leaves the info unknown, and the step does without.
 */
export async function infoOrUnknown(
  info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>,
  model: string,
  signal: AbortSignal | undefined,
): Promise<ModelInfo | undefined> {
  try {
    return await info(model, signal);
  } catch (error) {
    if (isModelNotFoundError(error) || signal?.aborted) throw error;
    // A deadline of the lookup says, from the core, that the request was not sent.
    if (!isOllamaError(error) || error.retryable) throw error;
    return undefined;
  }
}
