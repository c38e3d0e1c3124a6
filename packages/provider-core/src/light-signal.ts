import { onAbort } from '@x/internal';

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
  /**
   * The signals that abort with this one ({@link follow}), linked through their own fields: a
   * provider's `ending` signal is followed by every call in flight, and a listener each would
   * cost a closure and a scan of the whole list to remove it again.
   */
  #followers: LightSignal | undefined;
  #leader: LightSignal | undefined;
  #prev: LightSignal | undefined;
  #next: LightSignal | undefined;

  addEventListener(type: string, listener: () => void): void {
    if (type !== 'abort' || this.aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    // The last one added is the one usually removed (an attempt's own): a pop, not a splice.
    if (index === listeners.length - 1) listeners.pop();
    else if (index !== -1) listeners.splice(index, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /**
   * Aborts once: every listener runs once, in the order they were added (as `{ once: true }`),
   * then every follower aborts with the same reason.
   */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    // As `AbortController.abort()` does without a reason.
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.#leave();
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
    // Every link let go before any follower aborts: what runs then may unfollow another one.
    const followers: LightSignal[] = [];
    let follower = this.#followers;
    this.#followers = undefined;
    while (follower !== undefined) {
      const next = follower.#next;
      follower.#leader = undefined;
      follower.#prev = undefined;
      follower.#next = undefined;
      followers.push(follower);
      follower = next;
    }
    for (const each of followers) each.abort(this.reason);
    this.#real?.abort(this.reason);
  }

  /**
   * Aborts with `leader` (at once if it has) until {@link unfollow}: a few writes, where a
   * listener on `leader` costs a closure and, on removal, a scan of its listeners. One leader at
   * a time.
   */
  follow(leader: LightSignal): void {
    if (leader.aborted) {
      this.abort(leader.reason);
      return;
    }
    this.#leave();
    this.#leader = leader;
    const first = leader.#followers;
    this.#next = first;
    if (first !== undefined) first.#prev = this;
    leader.#followers = this;
  }

  /** Stops following its leader (nothing if it follows none). */
  unfollow(): void {
    this.#leave();
  }

  #leave(): void {
    const leader = this.#leader;
    if (leader === undefined) return;
    const prev = this.#prev;
    const next = this.#next;
    if (prev !== undefined) prev.#next = next;
    else leader.#followers = next;
    if (next !== undefined) next.#prev = prev;
    this.#leader = undefined;
    this.#prev = undefined;
    this.#next = undefined;
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

/**
 * The signal of one call: aborts with the caller's signal or with `ending` (its provider's
 * `destroy()`), whichever comes first. {@link release} lets go of both once the call is over.
 */
export class CallSignal extends LightSignal {
  #stopCaller: (() => void) | undefined;

  constructor(ending: LightSignal, caller: AbortSignal | undefined) {
    super();
    // A caller who aborted first keeps its reason.
    if (caller?.aborted) {
      this.abort(caller.reason);
      return;
    }
    this.follow(ending);
    if (caller !== undefined) this.#stopCaller = onAbort(caller, () => this.abort(caller.reason));
  }

  release(): void {
    this.unfollow();
    this.#stopCaller?.();
  }
}

/**
 * A call's signal, for a call that keeps no deadline of its own: `ending` itself when the caller
 * gave no signal (nothing is allocated), else a {@link CallSignal}. Give it back to
 * {@link releaseSignal} when the call is over.
 */
export function joinEnding(ending: LightSignal, caller: AbortSignal | undefined): AbortSignal {
  return (caller === undefined ? ending : new CallSignal(ending, caller)) as unknown as AbortSignal;
}

/** Lets go of what {@link joinEnding} linked. */
export function releaseSignal(signal: AbortSignal | undefined): void {
  if (signal instanceof CallSignal) signal.release();
}

/** `signal` as a real `AbortSignal`, for code outside the project: a light one is converted. */
export function realSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  return signal instanceof LightSignal ? signal.toAbortSignal() : signal;
}

/** A light signal, typed as the `AbortSignal` the pieces take. */
export function lightSignal(): LightSignal & AbortSignal {
  return new LightSignal() as LightSignal & AbortSignal;
}
