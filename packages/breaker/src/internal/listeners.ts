import { expected } from './describe';

/**
 * A listener list that is copied on change, so emitting iterates a stable array without copying
 * and a listener may unsubscribe (itself or others) while an event is being delivered.
 */
export class Listeners<E> {
  list: ReadonlyArray<(event: E) => void> = [];

  add(listener: (event: E) => void, onChange: () => void): () => void {
    if (typeof listener !== 'function')
      throw new TypeError(expected('listener', 'a function', listener));
    this.list = [...this.list, listener];
    onChange();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = this.list.indexOf(listener);
      if (at !== -1) this.list = [...this.list.slice(0, at), ...this.list.slice(at + 1)];
      onChange();
    };
  }

  emit(event: E): void {
    for (const listener of this.list) {
      try {
        listener(event);
      } catch (error) {
        // Like node:diagnostics_channel: a broken listener must not break the breaker or the
        // other listeners, but it must not go unnoticed either.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
