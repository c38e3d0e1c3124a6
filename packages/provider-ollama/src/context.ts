import type { ContextPlanner } from '@x/provider-core';
import { isModelNotFoundError, isOllamaError } from './errors';
import type { ChatRequest, ModelInfo } from './types';
import { requestedNumCtx } from './wire/body';

/** The window used when neither the options nor the model's Modelfile name one. */
const DEFAULT_NUM_CTX = 4096;

/**
 * Ollama's context windows: the `num_ctx` a model runs with, fixed at its first use (and only ever
 * raised) so Ollama never reloads the model for a different window; learnt from `/api/show` (the
 * Modelfile's `num_ctx`, capped by the trained length) unless `tokens.numCtx` sets one.
 */
export class ContextWindows implements ContextPlanner<ChatRequest> {
  readonly #pinned = new Map<string, number>();
  readonly #configured: number | undefined;
  readonly #info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
  readonly #cachedInfo: (model: string) => Promise<ModelInfo> | undefined;

  constructor(init: {
    /** `tokens.numCtx`. */
    configured: number | undefined;
    info: (model: string, signal: AbortSignal | undefined) => Promise<ModelInfo>;
    cachedInfo: (model: string) => Promise<ModelInfo> | undefined;
  }) {
    this.#configured = init.configured;
    this.#info = init.info;
    this.#cachedInfo = init.cachedInfo;
  }

  requested(request: ChatRequest): number | undefined {
    return requestedNumCtx(request);
  }

  known(model: string): number | undefined {
    return this.#pinned.get(model);
  }

  async lookup(
    model: string,
    signal: AbortSignal | undefined,
  ): Promise<{ window: number | undefined; trained: number | undefined }> {
    const info = await this.#load(model, signal);
    let window = this.#configured ?? info?.defaultNumCtx ?? DEFAULT_NUM_CTX;
    if (info?.contextLength !== undefined) window = Math.min(window, info.contextLength);
    // Another call may have pinned it while we waited.
    window = this.#pinned.get(model) ?? window;
    this.#pinned.set(model, window);
    return { window, trained: info?.contextLength };
  }

  async enlarge(
    model: string,
    needed: number,
    signal: AbortSignal | undefined,
  ): Promise<{ from: number; to: number } | { trained: number | undefined }> {
    const info = await this.#load(model, signal);
    const trained = info?.contextLength;
    if (trained !== undefined && needed > trained) return { trained };
    let raised = 2 ** Math.ceil(Math.log2(needed));
    if (trained !== undefined) raised = Math.min(raised, trained);
    const from = this.#pinned.get(model) ?? this.#configured ?? DEFAULT_NUM_CTX;
    const to = Math.max(raised, this.#pinned.get(model) ?? 0);
    this.#pinned.set(model, to);
    return { from, to };
  }

  async trained(model: string): Promise<number | undefined> {
    const pending = this.#cachedInfo(model);
    if (pending === undefined) return undefined;
    try {
      return (await pending).contextLength;
    } catch {
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
