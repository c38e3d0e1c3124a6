import type { ContextPlanner, WindowPlan } from '@x/provider-core';
import { getModelInfo } from '@x/tokens';
import type { ChatRequest } from './types';

const NONE: Promise<undefined> = Promise.resolve(undefined);
/** Models remembered (names come from configuration; bounded all the same). */
const MAX_MODELS = 1_000;

/**
 * Context windows known without asking the server: `contextWindows` of the options first, then the
 * window a server listed for the model in `/models` (vLLM's `max_model_len`...), then the preset's
 * (Ollama's `num_ctx`), then `@x/tokens`' model table. An OpenAI-compatible API cannot be asked to
 * change a window, so a model none of them knows is not checked.
 */
export class ModelWindows implements ContextPlanner<ChatRequest> {
  readonly #configured: Readonly<Record<string, number>>;
  readonly #preset: number | undefined;
  readonly #listed = new Map<string, number>();
  readonly #table = new Map<string, number | undefined>();

  constructor(
    configured: Readonly<Record<string, number>> | undefined,
    preset: number | undefined,
  ) {
    this.#configured = configured ?? {};
    this.#preset = preset;
  }

  /** Learns the windows a model list gave. */
  listed(models: ReadonlyArray<{ id: string; contextLength: number | undefined }>): void {
    for (const { id, contextLength } of models) {
      if (contextLength === undefined) continue;
      if (this.#listed.size >= MAX_MODELS && !this.#listed.has(id)) this.#listed.clear();
      this.#listed.set(id, contextLength);
    }
  }

  requested(): undefined {
    return undefined;
  }

  known(model: string): WindowPlan | undefined {
    const window = Object.hasOwn(this.#configured, model)
      ? this.#configured[model]
      : (this.#listed.get(model) ?? this.#preset ?? this.#fromTable(model));
    // An OpenAI-compatible API has no window to ask for: nothing is ever sent for it.
    return window === undefined ? undefined : { window, send: undefined };
  }

  /** A model none of the sources knows is not checked. */
  lookup(): Promise<undefined> {
    return NONE;
  }

  #fromTable(model: string): number | undefined {
    if (this.#table.has(model)) return this.#table.get(model);
    let window: number | undefined;
    try {
      window = getModelInfo(model)?.contextWindow;
    } catch {
      window = undefined;
    }
    if (this.#table.size >= MAX_MODELS) this.#table.clear();
    this.#table.set(model, window);
    return window;
  }
}
