import { type Channel, channel } from 'node:diagnostics_channel';
import { expectFunction } from './args';
import { describeThrown, reportRejection, thrownStack, warnSafely } from './thrown';

type Listener<E> = (event: E) => unknown;

const NONE: readonly never[] = Object.freeze([]);

function codeOf(pkg: string): string {
  return `X_${pkg.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_LISTENER_ERROR`;
}

/**
 * One event of one package: the `onX()` listeners and the `node:diagnostics_channel` channel
 * `x:<package>:<event>`, published with the same payload.
 *
 * The listener-error policy, the same in every package: a listener that throws, or returns a
 * promise that rejects, never fails the call that emitted the event and never crashes the
 * process. The error is reported with `process.emitWarning` (type `XListenerError`, code
 * `X_<PACKAGE>_LISTENER_ERROR`) naming the package and the event; the other listeners still run.
 *
 * The listener list is copied on change, so emitting iterates a stable array without copying and a
 * listener may unsubscribe itself (or another) during delivery. `active` is a cheap check that
 * lets a hot path skip building a payload nobody reads.
 */
export class Topic<E> {
  readonly channel: Channel;
  readonly #pkg: string;
  readonly #event: string;
  #listeners: ReadonlyArray<Listener<E>> = NONE;
  readonly #onChange: (() => void) | undefined;

  /**
   * @param pkg the package name without scope (`breaker`, `provider-ollama`)
   * @param event the event name (`state-change`)
   * @param onChange called after a listener is added or removed (to refresh a cached flag)
   */
  constructor(pkg: string, event: string, onChange?: () => void) {
    this.#pkg = pkg;
    this.#event = event;
    this.channel = channel(`x:${pkg}:${event}`);
    this.#onChange = onChange;
  }

  /** Adds a listener; returns its unsubscribe function (idempotent). */
  on(listener: Listener<E>): () => void {
    // the house wording (`got \`5\` (number)`), as every other argument error reads
    expectFunction('listener', listener);
    // Wrapped, so the same function subscribed twice is two subscriptions, each removed alone.
    const entry: Listener<E> = (event) => listener(event);
    this.#listeners = [...this.#listeners, entry];
    this.#onChange?.();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#listeners = this.#listeners.filter((l) => l !== entry);
      this.#onChange?.();
    };
  }

  /** True when a listener or a channel subscriber would receive an event. */
  get active(): boolean {
    return this.#listeners.length > 0 || this.channel.hasSubscribers;
  }

  /** True when an `onX()` listener is registered (channel subscribers aside). */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  /** Delivers `event` to every listener, then publishes it on the channel. Never throws. */
  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        reportRejection(listener(event), this.#report);
      } catch (error) {
        this.#report(error);
      }
    }
    if (this.channel.hasSubscribers) this.channel.publish(event);
  }

  // An arrow, so it can be handed to a promise as its rejection handler.
  readonly #report = (error: unknown): void => {
    warnSafely(`@x/${this.#pkg}: a '${this.#event}' listener threw: ${describeThrown(error)}`, {
      type: 'XListenerError',
      code: codeOf(this.#pkg),
      detail: thrownStack(error),
    });
  };
}

/** One {@link Topic} per event name, for a package that has several. */
// `object`, not `Record<string, unknown>`: an event map with an index signature would let any
// name through `keyof` (with an `unknown` payload), so the maps are plain interfaces.
export function createTopics<M extends object>(
  pkg: string,
  events: readonly (keyof M & string)[],
  onChange?: () => void,
): { [K in keyof M]: Topic<M[K]> } {
  const out = {} as { [K in keyof M]: Topic<M[K]> };
  for (const event of events) {
    out[event] = new Topic<M[typeof event]>(pkg, event, onChange) as never;
  }
  return out;
}
