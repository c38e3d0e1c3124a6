import diagnosticsChannel from 'node:diagnostics_channel';

/** Event names; each is also published on `x:provider-ollama:<name>`. */
export type ProviderEventName =
  | 'request'
  | 'response'
  | 'error'
  | 'retry'
  | 'truncated'
  | 'cache-hit'
  | 'context-raised';

export type Listener<T> = (event: T) => void;

/**
 * Listeners and diagnostics channels. A throwing listener never breaks the request it observes.
 */
export class Events {
  readonly #channels = new Map<string, diagnosticsChannel.Channel>();
  readonly #listeners = new Map<string, Set<Listener<unknown>>>();

  channel(name: ProviderEventName): diagnosticsChannel.Channel {
    let channel = this.#channels.get(name);
    if (channel === undefined) {
      channel = diagnosticsChannel.channel(`x:provider-ollama:${name}`);
      this.#channels.set(name, channel);
    }
    return channel;
  }

  on<T>(name: ProviderEventName, listener: Listener<T>): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`Expected \`listener\` to be a function, got ${typeof listener}`);
    }
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<unknown>);
    return () => {
      set.delete(listener as Listener<unknown>);
    };
  }

  /** True when someone listens, so callers can skip building a payload. */
  wanted(name: ProviderEventName): boolean {
    const set = this.#listeners.get(name);
    return (set !== undefined && set.size > 0) || this.channel(name).hasSubscribers;
  }

  emit(name: ProviderEventName, payload: object): void {
    const set = this.#listeners.get(name);
    if (set !== undefined) {
      for (const listener of set) {
        try {
          listener(payload);
        } catch {
          // A listener's bug must not fail the request it observes.
        }
      }
    }
    const channel = this.channel(name);
    if (channel.hasSubscribers) channel.publish(payload);
  }
}
