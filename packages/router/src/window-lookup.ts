/**
 * The context window a deployment runs its model with, for context-window fallbacks. A model's
 * trained maximum (Ollama's `/api/show` `<arch>.context_length`) is not it: Ollama runs a model
 * with its `num_ctx` (the request's, the Modelfile's, `OLLAMA_CONTEXT_LENGTH` or its own default,
 * 2048 to 4096 tokens on most machines), and a prompt past it is cut or refused. So, in order:
 * the request's `options.num_ctx` (read by the plan), the window of the loaded model (`/api/ps`
 * `context_length`, Ollama 0.10 and later), and only then the trained maximum, as an upper bound.
 * A provider of the user's own with `modelInfo()` and no `ps()` says no such thing: the
 * `contextLength` it gives is taken as the window.
 */
import type { Deployment } from './deployment';

/** What a lookup learnt. */
export interface LookedUpWindow {
  /** The window the server runs the model with now (`ps()`). */
  window: number | undefined;
  /** The model's trained maximum (`modelInfo()`): no window in use is larger. */
  upperBound: number | undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The request's `options.num_ctx` (Ollama's window for this request), when it is a positive
 * integer; never throws on the caller's object.
 */
export function requestedWindow(request: unknown): number | undefined {
  try {
    const options = (request as { options?: unknown } | null)?.options;
    return positive((options as { num_ctx?: unknown } | null | undefined)?.num_ctx);
  } catch {
    return undefined;
  }
}

/** A provider that can tell a window (Ollama's): the request's `num_ctx` applies to it. */
export function looksUpWindows(d: Deployment): boolean {
  return typeof d.provider.ps === 'function' || typeof d.provider.modelInfo === 'function';
}

/** `llama3.2` and `llama3.2:latest` name one model, as Ollama reads a name without a tag. */
function modelKey(name: string): string {
  const lower = name.toLowerCase();
  const slash = lower.lastIndexOf('/');
  return lower.indexOf(':', slash + 1) === -1 ? `${lower}:latest` : lower;
}

/**
 * Asks `d`'s provider: `ps()` first (the window of the loaded model), then, when `askModelInfo`
 * and the model is not loaded, `modelInfo()`: the trained maximum beside a `ps()`, the window
 * without one. A failed ask leaves that part unknown.
 */
export async function lookUpWindow(
  d: Deployment,
  signal: AbortSignal | undefined,
  askModelInfo = true,
): Promise<LookedUpWindow> {
  const options = signal === undefined ? {} : { signal };
  const provider = d.provider;
  if (typeof provider.ps === 'function') {
    try {
      const key = modelKey(d.model);
      const loaded = await provider.ps(options);
      const entry = Array.isArray(loaded)
        ? loaded.find(
            (m) =>
              (typeof m?.name === 'string' && modelKey(m.name) === key) ||
              (typeof m?.model === 'string' && modelKey(m.model) === key),
          )
        : undefined;
      const window = positive(entry?.contextLength);
      if (window !== undefined) return { window, upperBound: undefined };
    } catch {
      // Unknown then: the trained maximum still bounds it.
    }
  }
  if (!askModelInfo || signal?.aborted || typeof provider.modelInfo !== 'function') {
    return { window: undefined, upperBound: undefined };
  }
  try {
    const length = positive((await provider.modelInfo(d.model, options))?.contextLength);
    return typeof provider.ps === 'function'
      ? { window: undefined, upperBound: length }
      : { window: length, upperBound: undefined };
  } catch {
    return { window: undefined, upperBound: undefined };
  }
}
