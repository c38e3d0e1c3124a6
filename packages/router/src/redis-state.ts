import {
  expectKeyLabel,
  expectKnownKeys,
  fail,
  failRedisClient,
  isPlainObject,
  optionalDuration,
  optionalString,
  toWellFormed,
} from '@x/internal';
import { RedisBinding } from './redis-binding';
import type { RedisRouterClientLike, RedisRouterStateOptions } from './redis-types';
import type { BoundRouterState, RouterState, StateLink } from './state';

const OPTION_KEYS = ['client', 'subscriber', 'prefix', 'commandTimeoutMs'] as const;

/**
 * Shares cooldowns between router instances through Redis: pass it as `createRouter({ state })`.
 * Each instance still decides from its own view, in memory, with no I/O on the way of a call;
 * when one instance takes a deployment out (or sees it recover) it writes the cooldown with a PX
 * expiry and publishes it in the same script, so the others pass the deployment over one
 * delivery later. After a cooldown one instance probes (a `SET NX` claim). With Redis down,
 * every instance keeps its own view, emits `state-unavailable`, and writes its running cooldowns
 * back when Redis returns.
 *
 * @throws {TypeError} for a client without `eval()`, or without `duplicate()` and no `subscriber`.
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * const router = createRouter({ deployments, state: createRedisRouterState({ client: redis }) });
 */
export function createRedisRouterState(options: RedisRouterStateOptions): RouterState {
  if (!isPlainObject(options)) failRedisClient('options', 'an object with a `client`', options);
  expectKnownKeys(undefined, options, OPTION_KEYS);
  const client = options.client as Partial<RedisRouterClientLike> | undefined;
  if (typeof client !== 'object' || client === null || typeof client.eval !== 'function') {
    failRedisClient('client', 'a Redis client with eval() (ioredis 5 or 6)', client);
  }
  const subscriber = options.subscriber;
  if (subscriber !== undefined && typeof subscriber?.subscribe !== 'function') {
    failRedisClient(
      'subscriber',
      'a Redis connection with subscribe() (ioredis 5 or 6)',
      subscriber,
    );
  }
  if (subscriber === undefined && typeof client.duplicate !== 'function') {
    fail('subscriber', 'given when the client has no duplicate()', subscriber);
  }
  const prefix = optionalString('prefix', options.prefix) ?? 'x:router:';
  // The prefix starts every key and the channel: held to what a label is (no credential, refused
  // unshown; at most 200 printable characters). '' stays "no prefix".
  if (prefix !== '') expectKeyLabel(toWellFormed(prefix), 'prefix');
  const timeoutMs =
    optionalDuration('commandTimeoutMs', options.commandTimeoutMs, { min: 1 }) ?? 1000;
  let bound = false;
  return {
    bind(link: StateLink): BoundRouterState {
      if (bound) fail('state', 'a Redis state no other router uses', '[bound]');
      bound = true;
      return new RedisBinding({
        client: client as RedisRouterClientLike,
        subscriber: subscriber ?? client.duplicate!(),
        ownSubscriber: subscriber === undefined,
        prefix,
        timeoutMs,
        link,
      });
    },
  };
}
