import { onAbort } from '@x/internal';
import type { ProviderTimeoutError } from '../errors';
import { LightSignal, realSignal } from '../light-signal';

/**
 * The signals of one attempt folded into the one the transport gets, plus the deadline that may
 * fire. With a single signal and no deadline to enforce through it, that signal is handed over as
 * is; otherwise a built-in transport gets a {@link LightSignal}, a custom one an
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
      // A custom transport is code outside the project: a light signal reaches it as a real one.
      this.signal = light ? single : realSignal(single);
      return;
    }
    let abort: (reason: unknown) => void;
    if (light) {
      const link = new LightSignal();
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
