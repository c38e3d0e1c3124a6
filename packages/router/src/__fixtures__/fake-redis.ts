// An in-process Redis client and subscription for the Redis state: the test decides each script's
// reply (fake timers then drive the command timeouts) and emits what the subscription hears.
import { SYNC_SCRIPT } from '../redis-scripts';
import type { RedisRouterClientLike, RedisSubscriberLike } from '../redis-types';

/** A script's reply; `undefined` for the default (a sync finds no cooldown, the rest reply 1). */
type Reply = (script: string, args: readonly (string | number)[]) => Promise<unknown> | undefined;

export interface FakeRedis {
  client: RedisRouterClientLike;
  subscriber: RedisSubscriberLike & {
    /** Calls the state's listeners of `event` (`message`, `ready`, `close`...). */
    emit(event: string, ...args: unknown[]): void;
    subscribes: number;
  };
  /** Every script the client was asked to run, in order. */
  scripts: string[];
}

export function fakeRedis(
  reply: Reply = () => undefined,
  subscribe: () => Promise<unknown> = () => Promise.resolve(1),
): FakeRedis {
  const listeners = new Map<string, Set<(...args: any[]) => void>>();
  const subscriber: FakeRedis['subscriber'] = {
    subscribes: 0,
    subscribe() {
      subscriber.subscribes++;
      return subscribe();
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
    },
    quit: () => Promise.resolve('OK'),
    emit(event, ...args) {
      for (const listener of listeners.get(event) ?? []) listener(...args);
    },
  };
  const scripts: string[] = [];
  const client: RedisRouterClientLike = {
    eval(script, numKeys, ...args) {
      scripts.push(script);
      const scripted = reply(script, args);
      if (scripted !== undefined) return scripted;
      if (script === SYNC_SCRIPT) {
        return Promise.resolve(Array.from({ length: numKeys * 2 }, (_, i) => (i % 2 ? '' : -2)));
      }
      return Promise.resolve(1);
    },
  };
  return { client, subscriber, scripts };
}
