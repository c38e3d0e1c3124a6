/**
 * An abort signal without an `AbortController`: the members the project's own pieces read of a
 * signal (`aborted`, `reason`, `throwIfAborted`, `addEventListener`, `removeEventListener`). Every
 * `@x` package and undici's `request` accept it (they check a signal by its shape).
 *
 * Why: in Node 20 creating an `AbortSignal`, listening on one and `AbortSignal.any()` cost from
 * several to a hundred times what this object does (`node --import tsx profile/signals.ts` in
 * `@x/provider-ollama` measures them). A call's total deadline (joined with the caller's signal)
 * and an attempt's first-token deadline need a signal on every call, and they rarely abort.
 *
 * Code outside the project (a custom cache store, a custom transport) gets a real `AbortSignal`
 * through `realSignal()`, made on first use and aborted with this one.
 */
export class LightSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined;
  #real: AbortController | undefined;

  addEventListener(type: string, listener: () => void): void {
    if (type !== 'abort' || this.aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Aborts once: every listener runs once, in the order they were added (as `{ once: true }`). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    // As `AbortController.abort()` does without a reason.
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
    this.#real?.abort(this.reason);
  }

  /** A real `AbortSignal` that aborts with this one (the same one on every call). */
  toAbortSignal(): AbortSignal {
    if (this.#real === undefined) {
      this.#real = new AbortController();
      if (this.aborted) this.#real.abort(this.reason);
    }
    return this.#real.signal;
  }
}

/** `signal` as a real `AbortSignal`, for code outside the project: a light one is converted. */
export function realSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  return signal instanceof LightSignal ? signal.toAbortSignal() : signal;
}

/** A light signal, typed as the `AbortSignal` the pieces take. */
export function lightSignal(): LightSignal & AbortSignal {
  return new LightSignal() as LightSignal & AbortSignal;
}
