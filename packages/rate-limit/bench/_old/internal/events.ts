import { type Channel, channel } from 'node:diagnostics_channel';

/**
 * One event kind: in-process listeners (`onX(fn)` returns an unsubscribe) plus the
 * `node:diagnostics_channel` channel `x:rate-limit:<name>`. A listener that throws is isolated:
 * the error is dropped so that one bad listener cannot break admission for everyone.
 */
export class EventSource<T> {
  private readonly listeners = new Set<(event: T) => void>();
  private readonly channel: Channel;

  constructor(name: string) {
    this.channel = channel(`x:rate-limit:${name}`);
  }

  on(listener: (event: T) => void): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(
        `Expected \`listener\` to be a function, got \`${String(listener)}\` (${typeof listener})`,
      );
    }
    // Wrap so that subscribing the same function twice yields two independent subscriptions.
    const wrapped = (event: T) => listener(event);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  get active(): boolean {
    return this.listeners.size > 0 || this.channel.hasSubscribers;
  }

  emit(event: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // isolated on purpose, see the class comment
      }
    }
    if (this.channel.hasSubscribers) this.channel.publish(event);
  }
}
