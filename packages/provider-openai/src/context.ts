import { quoted } from '@x/internal';
import type { ContextOverflowInit, ContextPlanner, WindowPlan } from '@x/provider-core';
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
  /** The preset's window is the `ollama` preset's assumption, not the server's own. */
  readonly #assumed: boolean;
  readonly #listed = new Map<string, number>();
  readonly #table = new Map<string, number | undefined>();

  constructor(
    configured: Readonly<Record<string, number>> | undefined,
    preset: number | undefined,
    assumed = false,
  ) {
    this.#configured = configured ?? {};
    this.#preset = preset;
    this.#assumed = assumed;
  }

  /**
   * How to fix an overflow found against an assumed window (the `ollama` preset's 4096): the
   * server's own may be larger, as Ollama sizes it by GPU memory (4096, 32768 or 262144 tokens
   * since 0.15.5, server/routes.go) or `OLLAMA_CONTEXT_LENGTH`, capped by the model's trained
   * length; its `/v1` says none of it, and cannot be sent a window (`num_ctx`). Not learnt from
   * the host's `/api/ps` either: its `context_length` is the window of whichever client loaded the
   * model, and a request without `num_ctx` has a model loaded with one reloaded at the server's
   * default (server/sched.go, `needsReload`), so it may say more than a `/v1` request gets.
   */
  overflowHint(init: ContextOverflowInit): string | undefined {
    const { model } = init;
    if (
      !this.#assumed ||
      init.source !== 'estimate' ||
      Object.hasOwn(this.#configured, model) ||
      this.#listed.has(model)
    ) {
      return undefined;
    }
    const name = quoted(model);
    return (
      `. ${this.#preset} tokens is the \`ollama\` preset's assumption, not a window read from your server, which may run the model with more ` +
      "(Ollama picks 4096, 32768 or 262144 tokens by GPU memory, or OLLAMA_CONTEXT_LENGTH, at most the model's trained length): " +
      `run \`ollama ps\` while the model is loaded and pass the CONTEXT it shows as \`contextWindows: { ${name}: <CONTEXT> }\`; ` +
      'for a larger window, start Ollama with OLLAMA_CONTEXT_LENGTH=<tokens> and pass the same value, or use @x/provider-ollama, which sets num_ctx'
    );
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
