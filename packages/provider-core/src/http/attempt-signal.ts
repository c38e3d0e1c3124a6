import { onAbort } from '@x/internal';
import { LightSignal } from '../light-signal';
import type { ProviderTimeoutError } from '../timeout-error';

/**
 * The signals of one attempt folded into the one the transport gets, plus the deadline that may
 * fire. With a single real signal (or none) and no deadline to enforce through it, that signal is
 * handed over as is; otherwise the attempt has a {@link LightSignal} of its own (a custom
 * transport gets it as a real `AbortSignal`).
 *
 * A light source (the call's signal) is followed, never listened to nor handed over: it may be
 * the provider's `ending` signal itself, which every call without a signal of its own shares, and
 * what a transport adds to the signal it gets would collect there.
 */
export class AttemptSignal {
  readonly signal: AbortSignal | undefined;
  readonly #link: LightSignal | undefined;
  readonly #sources: ReadonlyArray<AbortSignal | undefined>;
  #stops: Array<() => void> | undefined;
  timeoutError: ProviderTimeoutError | undefined;
  /** What cut the attempt from inside (an upload's source that threw), when nothing else did. */
  cutBy: unknown;
  /** The upload the attempt sends, ended when it settles (`http/upload.ts`). */
  upload: { end(): void } | undefined = undefined;

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
    if (count <= 1 && !needController && !(single instanceof LightSignal)) {
      this.signal = single;
      return;
    }
    const link = new LightSignal();
    this.#link = link;
    // A custom transport is code outside the project: it gets a real signal.
    this.signal = light ? (link as unknown as AbortSignal) : link.toAbortSignal();
    let followed = false;
    for (const source of sources) {
      if (source === undefined) continue;
      if (!followed && source instanceof LightSignal) {
        followed = true;
        link.follow(source);
      } else {
        (this.#stops ??= []).push(onAbort(source, () => link.abort(source.reason)));
      }
    }
  }

  /** Aborts the transport (a deadline fired, or the consumer left). */
  abort(reason: unknown): void {
    this.#link?.abort(reason);
  }

  /** Why the attempt was cut, if it was: a deadline, or an aborted signal's reason. */
  reason(): unknown {
    if (this.timeoutError !== undefined) return this.timeoutError;
    if (this.cutBy !== undefined) return this.cutBy;
    for (const source of this.#sources) if (source?.aborted) return source.reason;
    return undefined;
  }

  release(): void {
    this.#link?.unfollow();
    const stops = this.#stops;
    if (stops === undefined) return;
    this.#stops = undefined;
    for (const stop of stops) stop();
  }
}
