import { BoundedMap } from '@x/internal';
import type { ContextPlanner, WindowPlan } from '@x/provider-core';
import { isModelNotFoundError, isOllamaError } from './errors';
import type { ChatRequest, LoadedModel, ModelInfo } from './types';
import { requestedNumCtx } from './wire/body';
import { modelKey } from './wire/models';

/**
 * The window assumed for a model the server has not loaded and whose Modelfile names none: the
 * smallest default of the servers in use (4096 on servers since 0.6.7 with under 23 GiB of VRAM).
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
 * prompt that does not fit raises the window (next power of two, at most the trained length) and
 * that window is then sent with every request for the model, so it stays put. `tokens.numCtx` pins
 * a window of your choice instead, sent with every request.
 */
export class ContextWindows implements ContextPlanner<ChatRequest> {
  readonly #plans = new BoundedMap<string, WindowPlan>(MAX_MODELS);
  /** Models whose window is a guess (not loaded when looked up, no Modelfile `num_ctx`). */
  readonly #guessed = new Set<string>();
  /** Counts {@link forget} calls: a lookup that began before one does not store its plan. */
  #epoch = 0;
  /**
   * Models changed since their last lookup (keys of {@link modelKey}): a runner loaded before the
   * change still shows in `/api/ps` until it expires, with the old window, and Ollama reloads it
   * for the next request, so its window says nothing of the one the model will run with.
   */
  readonly #changed = new Set<string>();
  readonly #configured: number | undefined;
  readonly #info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
  readonly #loaded: (signal: AbortSignal | undefined) => Promise<LoadedModel[]>;

  constructor(init: {
    /** `tokens.numCtx`. */
    configured: number | undefined;
    info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
    loaded: (signal: AbortSignal | undefined) => Promise<LoadedModel[]>;
  }) {
    this.#configured = init.configured;
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
  }

  async lookup(model: string, signal: AbortSignal | undefined): Promise<WindowPlan> {
    const epoch = this.#epoch;
    const changed = this.#changed.size > 0 && this.#changed.delete(modelKey(model));
    const [info, loaded] = await Promise.all([
      this.#load(model, signal),
      this.#configured === undefined && !changed ? this.#loadedWindow(model, signal) : undefined,
    ]);
    const trained = info?.contextLength;
    let window = this.#configured ?? loaded ?? info?.defaultNumCtx ?? DEFAULT_NUM_CTX;
    if (trained !== undefined) window = Math.min(window, trained);
    // Another call may have planned it while we waited: keep one plan per model.
    const known = this.#plans.get(model);
    if (known !== undefined) return known;
    const plan = { window, send: this.#configured === undefined ? undefined : window, trained };
    // The model changed while this was looked up: what was learnt may be stale, so not kept.
    if (epoch !== this.#epoch) return plan;
    this.#plans.set(model, plan);
    if (
      this.#configured === undefined &&
      loaded === undefined &&
      info?.defaultNumCtx === undefined
    ) {
      this.#guessed.add(model);
    } else this.#guessed.delete(model);
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
    if (trained !== undefined) raised = Math.min(raised, trained);
    const window = Math.max(raised, current?.send ?? 0);
    const plan = { window, send: window, trained };
    this.#plans.set(model, plan);
    this.#guessed.delete(model);
    return { from, plan };
  }

  /** The window of the model as the server runs it now (`/api/ps`), if it is loaded. */
  async #loadedWindow(model: string, signal: AbortSignal | undefined): Promise<number | undefined> {
    try {
      const loaded = await this.#loaded(signal);
      return loaded.find((m) => sameModel(m.name, model))?.contextLength;
    } catch (error) {
      if (signal?.aborted) throw error;
      // Servers before 0.10.0 do not say; the other sources decide.
      return undefined;
    }
  }

  /** Model info for the tokens step: a missing model fails; other trouble leaves the defaults. */
  async #load(model: string, signal: AbortSignal | undefined): Promise<ModelInfo | undefined> {
    try {
      return await this.#info(model, signal);
    } catch (error) {
      if (isModelNotFoundError(error) || signal?.aborted) throw error;
      if (!isOllamaError(error) || error.retryable) throw error;
      return undefined;
    }
  }
}
