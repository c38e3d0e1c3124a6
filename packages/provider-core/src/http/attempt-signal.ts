import { onAbort } from '@x/internal';
import type { ProviderTimeoutError } from '../errors';

/**
 * The abort signal of one attempt on a built-in transport: the four members undici's `request`
 * and `@x/pool`'s queue read of a signal (`aborted`, `reason`, `addEventListener`,
 * `removeEventListener`), without an `AbortController`. In Node 20 creating a controller and
 * adding and removing one listener costs about as much as the rest of the pipeline's own work, and
 * an attempt with a first-token deadline needs a signal on every call although it rarely aborts.
 * Custom transports (`fetch`, mocks) get a real `AbortSignal`.
 */
export class AttemptAbort {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined;

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

  /** Aborts once: every listener runs once, in the order they were added (as `{ once: true }`). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    // As `AbortController.abort()` does without a reason.
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

/**
 * The signals of one attempt folded into the one the transport gets, plus the deadline that may
 * fire. With a single signal and no deadline to enforce through it, that signal is handed over as
 * is; otherwise a built-in transport gets an {@link AttemptAbort}, a custom one an
 * `AbortController`'s signal.
 */
export class AttemptSignal {
  readonly signal: AbortSignal | undefined;
  readonly #abort: ((reason: unknown) => void) | undefined;
  readonly #sources: ReadonlyArray<AbortSignal | undefined>;
  #stops: Array<() => void> | undefined;
  timeoutError: ProviderTimeoutError | undefined;

  constructor(
    sources: ReadonlyArray<AbortSignal | undefined>,
    needController: boolean,
    light: boolean,
  ) {
    this.#sources = sources;
    let single: AbortSignal | undefined;
    let count = 0;
    for (const source of sources) {
      if (source === undefined) continue;
      if (source.aborted) throw source.reason;
      single = source;
      count++;
    }
    if (count <= 1 && !needController) {
      this.signal = single;
      return;
    }
    let abort: (reason: unknown) => void;
    if (light) {
      const link = new AttemptAbort();
      this.signal = link as unknown as AbortSignal;
      abort = (reason) => link.abort(reason);
    } else {
      const controller = new AbortController();
      this.signal = controller.signal;
      abort = (reason) => {
        if (!controller.signal.aborted) controller.abort(reason);
      };
    }
    this.#abort = abort;
    if (count === 0) return;
    this.#stops = [];
    for (const source of sources) {
      if (source === undefined) continue;
      this.#stops.push(onAbort(source, () => abort(source.reason)));
    }
  }

  /** Aborts the transport (a deadline fired, or the consumer left). */
  abort(reason: unknown): void {
    this.#abort?.(reason);
  }

  /** Why the attempt was cut, if it was: a deadline, or an aborted signal's reason. */
  reason(): unknown {
    if (this.timeoutError !== undefined) return this.timeoutError;
    for (const source of this.#sources) if (source?.aborted) return source.reason;
    return undefined;
  }

  release(): void {
    const stops = this.#stops;
    if (stops === undefined) return;
    this.#stops = undefined;
    for (const stop of stops) stop();
  }
}
